#!/bin/sh
# t0200-lint.sh - `krait lint` on the valid rule-file corpus (tests/lang/ok):
# each NAME.smk is evaluated with `krait lint --json -s NAME.smk` (plus the
# options in NAME.args, if any) in a fresh copy of the corpus directory and
# its stdout must equal NAME.json exactly (and its stderr NAME.stderr, empty
# when that file is missing). Then a few checks of the human form, the rule
# file search and usage errors. UPDATE_GOLDEN=1 rewrites the golden files.
set -u
: "${KRAIT:?KRAIT must name the krait binary}" "${KR_SRCDIR:?}"
RUN="${KR_VALGRIND:-} $KRAIT"
src="$KR_SRCDIR/tests/lang/ok"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -R "$src/." "$tmp/"
cd "$tmp" || exit 1
files=$(ls *.smk | sort)
n=$(printf '%s\n' $files | wc -l)
echo "1..$((n + 6))"
i=0
for f in $files; do
    base=${f%.smk}
    args=""
    [ -f "$base.args" ] && args=$(cat "$base.args")
    i=$((i + 1))
    # shellcheck disable=SC2086
    $RUN lint --json -s "$f" $args >"$tmp/.out" 2>"$tmp/.err"
    rc=$?
    [ -f "$base.stderr" ] || : >"$tmp/.nostderr"
    want_err="$base.stderr"
    [ -f "$want_err" ] || want_err="$tmp/.nostderr"
    if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
        cp "$tmp/.out" "$src/$base.json"
        [ -s "$tmp/.err" ] && cp "$tmp/.err" "$src/$base.stderr"
    fi
    if [ $rc -eq 0 ] && cmp -s "$tmp/.out" "$base.json" && cmp -s "$tmp/.err" "$want_err"; then
        echo "ok $i - lint --json $f"
    else
        echo "not ok $i - lint --json $f (exit $rc)"
        diff -u "$base.json" "$tmp/.out" | head -40 | sed 's/^/# /'
        diff -u "$want_err" "$tmp/.err" | head -20 | sed 's/^/# /'
    fi
done

# the human form names every rule with its location
i=$((i + 1))
$RUN lint -s 16-named-io.smk >"$tmp/.out" 2>&1
cat >"$tmp/.want" <<'WANT'
1 rule in 16-named-io.smk

rule r (16-named-io.smk:1)
    input:     a.txt, ref=ref.fa, reads=[r1.fq, r2.fq]
    output:    bam=out.bam, bai=out.bam.bai
    log:       logs/r.log, err=logs/r.err
    benchmark: bench/r.tsv
    shell:     true
WANT
if cmp -s "$tmp/.out" "$tmp/.want"; then echo "ok $i - human form"; else
    echo "not ok $i - human form"; diff -u "$tmp/.want" "$tmp/.out" | sed 's/^/# /'; fi

# without -s the rule file is searched for: Snakefile first, then workflow/Snakefile
i=$((i + 1))
mkdir -p "$tmp/find/workflow" && cp 01-basic.smk "$tmp/find/workflow/Snakefile"
out=$(cd "$tmp/find" && $RUN lint 2>&1 | head -1)
if [ "$out" = "2 rules in workflow/Snakefile" ]; then echo "ok $i - finds workflow/Snakefile"; else
    echo "not ok $i - finds workflow/Snakefile: got '$out'"; fi
i=$((i + 1))
cp 21-anonymous.smk "$tmp/find/Snakefile"
out=$(cd "$tmp/find" && $RUN lint 2>&1 | head -1)
if [ "$out" = "4 rules in Snakefile" ]; then echo "ok $i - Snakefile before workflow/Snakefile"; else
    echo "not ok $i - Snakefile before workflow/Snakefile: got '$out'"; fi

# no rule file at all
i=$((i + 1))
mkdir -p "$tmp/empty"
out=$(cd "$tmp/empty" && $RUN lint 2>&1)
rc=$?
if [ $rc -eq 1 ] && [ "$out" = "krait: error: no rule file found (looked for Snakefile, snakefile, workflow/Snakefile, workflow/snakefile, Kraitfile); use -s FILE" ]; then
    echo "ok $i - no rule file"; else echo "not ok $i - no rule file (exit $rc): $out"; fi

# usage errors exit 2
i=$((i + 1))
$RUN lint --bogus >/dev/null 2>&1
rc=$?
if [ $rc -eq 2 ]; then echo "ok $i - unknown option exits 2"; else echo "not ok $i - unknown option exits $rc"; fi
i=$((i + 1))
$RUN lint -s 01-basic.smk --config novalue >/dev/null 2>&1
rc=$?
if [ $rc -eq 2 ]; then echo "ok $i - --config without = exits 2"; else echo "not ok $i - --config without = exits $rc"; fi
