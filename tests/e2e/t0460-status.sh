#!/bin/sh
# t0460-status.sh - `krait status`: Snakemake's --summary table (output_file,
# date, rule, version, log-file(s), status, plan) for the files of a small
# workflow as it goes through: nothing built, built by hand, provenance of
# another code recorded, a job left incomplete, an input updated; targets;
# --json. Provenance is written through the state API by
# tests/unit/state_fixture; no jobs are run.
set -u
FIX="$KR_BUILDDIR/tests/unit/state_fixture"
cd "$(mktemp -d)" || exit 1
. "$KR_SRCDIR/tests/e2e/tap.sh"
# the table without the date column, rows sorted, tabs shown as |
table() { $KRAIT status "$@" | awk -F'\t' 'NR > 1 { print $1 "|" $3 "|" $4 "|" $5 "|" $6 "|" $7 }' | sort | tr '\n' ';'; }

cat > Snakefile <<'SNAKE'
rule all:
    input: "b.txt", "c.txt"

rule a:
    output: "a.txt"
    shell: "echo a > {output}"

rule b:
    input: "a.txt"
    output: "b.txt"
    log: "logs/b.log"
    shell: "cat {input} > {output}"

rule c:
    output: "c.txt"
    shell: "echo c > {output}"
SNAKE

$KRAIT status > st.out 2> st.err; rc=$?
check $rc "status exits 0 when nothing is built"
same "$(head -n 1 st.out)" "$(printf 'output_file\tdate\trule\tversion\tlog-file(s)\tstatus\tplan')" \
     "the header is Snakemake's"
same "$(table)" "a.txt|-|-|-|missing|update pending;b.txt|-|-|logs/b.log|missing|update pending;c.txt|-|-|-|missing|update pending;" \
     "nothing built: every file missing, update pending"
same "$(awk -F'\t' 'NR > 1 { print $2 }' st.out | sort -u)" "-" "no dates for missing files"
[ ! -e .krait ]; check $? "status creates no state database"

echo a > a.txt; sleep 0.01; echo a > b.txt; echo c > c.txt
same "$(table)" "a.txt|-|-|-|ok|no update;b.txt|-|-|logs/b.log|ok|no update;c.txt|-|-|-|ok|no update;" \
     "made by hand: ok, no update, no rule recorded"
$KRAIT status | awk -F'\t' 'NR == 2 { print $2 }' | grep -Eq '^[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{4}$'
check $? "dates in ctime format, as Snakemake prints them"

r=$($FIX . run krait run)
$FIX . job "$r" c c done 0 c.txt >/dev/null     # records a code hash that is not rule c's
same "$(table c.txt)" "c.txt|c|-|-|rule implementation changed|update pending;" \
     "provenance from other code: rule recorded, implementation changed"

$FIX . job "$r" b b running 0 b.txt >/dev/null  # started, never finished
same "$(table b.txt)" "a.txt|-|-|-|ok|no update;b.txt|-|-|logs/b.log|incomplete|update pending;" \
     "a job that never finished: incomplete (targets limit the table)"

sleep 0.01; touch a.txt
$FIX . end "$r" ok 0 0
rm -f .krait/state.db .krait/state.db-wal .krait/state.db-shm
same "$(table b.txt)" "a.txt|-|-|-|ok|no update;b.txt|-|-|logs/b.log|updated input files|update pending;" \
     "an input newer than its output: updated input files"

same "$($KRAIT status --json b.txt | jq -r 'map([.output_file, .rule // "-", .status, .plan, .reason, (.log | join(","))] | join("|")) | sort | join(";")')" \
     "a.txt|-|ok|no update|up to date|;b.txt|-|updated input files|update pending|input newer than output|logs/b.log" \
     "--json"

$KRAIT status nosuchfile > /dev/null 2> err.out; rc=$?
check $((rc == 1 ? 0 : 1)) "an unknown target fails"
$KRAIT status --bogus > /dev/null 2>&1; same "$?" "2" "an unknown option is a usage error"
echo "1..$n"
