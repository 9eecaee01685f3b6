#!/bin/sh
# t0225-run-globals.sh - run: blocks and onstart/onsuccess/onerror handlers
# run in python3 in the Snakefile's namespace, as in Snakemake: the top-level
# imports, variables and defs are visible, and so are the names Snakemake
# predefines (os, json, re, Path ...); an import or def python3 cannot run
# there (no snakemake package, expand() in a default) is skipped; shell() formats with the caller's
# globals and locals (Snakemake's test_run_namedlist, test_github_issue1261).
# onstart runs before the first job, onsuccess after a run that finished,
# onerror after one that failed (with `log` a file), none in a dry run; a
# handler that raises is reported as Snakemake does and the exit status is
# 1 (as Snakemake 7.21's). Where /usr/bin/snakemake exists, the same
# workflows run through it must give the same files and exit statuses.
set -u
. "$KR_SRCDIR/tests/e2e/tap.sh"
T=$(mktemp -d) && cd "$T" || exit 1
echo "# in $T"
SMK=/usr/bin/snakemake
[ -x "$SMK" ] && [ -x /usr/bin/python3 ] || SMK=

# run_smk ARGS...: Snakemake on a copy of ./Snakefile in ./smk; its status
run_smk() {
    rm -rf smk && mkdir smk && cp Snakefile smk/ || return 99
    (cd smk && /usr/bin/python3 "$SMK" "$@" > smk.out 2>&1)
}
skip() {
    n=$((n + 1))
    echo "ok $n - $1 # SKIP /usr/bin/snakemake is not installed"
}

# ---- E: run: blocks see the Snakefile's globals ---------------------------------
mkdir e && cd e || exit 1
cat > Snakefile <<'SNAKE'
import time
from os.path import join as pjoin
from snakemake.utils import min_version
X = "hello"
def unused(x=expand("a{i}", i=[1])):
    return x
SAMPLES = {"a": [1, 2], "b": None}
def helper(s, n=2):
    return s.upper() * n
rule all:
    input: "named.txt", "sleep.txt", "x.txt", "helper.txt"
rule named:
    output: txt="named.txt"
    run:
        shell("echo named > {output.txt}")
        assert os.stat(output.txt).st_size == 6
rule sleep:
    output: "sleep.txt"
    run:
        time.sleep(0.1)
        shell("echo slept > {output}")
rule x:
    output: "x.txt"
    run:
        Y = 3
        shell("echo {X} {Y} > {output}")
rule helper:
    output: "helper.txt"
    run:
        with open(output[0], "w") as f:
            f.write(" ".join([helper("ab"), json.dumps(SAMPLES, sort_keys=True), pjoin("d", "e"),
                              str(Path("p") / "q"), re.sub("a", "b", "aa"), sys.platform[:0]]) + "\n")
SNAKE
"$KRAIT" run -c1 > run.out 2>&1; check $? "run: blocks using top-level imports, variables and defs run"
sed 's/^/# /' run.out
same "$(cat named.txt)" "named" "... os (predefined) in run: (test_run_namedlist)"
same "$(cat sleep.txt)" "slept" "... import time at top level, time.sleep in run: (test_github_issue1261)"
same "$(cat x.txt)" "hello 3" "... shell() formats {X} (a global) and {Y} (a local)"
same "$(cat helper.txt)" 'ABAB {"a": [1, 2], "b": null} d/e p/q bb ' \
    "... a def, a JSON variable, from-import as, Path, re, json, sys"
same "$(ls .krait/jobs)" "" "... the job files (they hold the Snakefile's variables) are gone"
if [ -n "$SMK" ]; then
    run_smk -c1 -q; check $? "... Snakemake runs the same workflow"
    for f in named.txt sleep.txt x.txt helper.txt; do
        cmp -s "$f" "smk/$f" || { echo "# $f differs"; false; } || break
    done
    check $? "... and writes the same files"
else
    skip "... Snakemake runs the same workflow"
    skip "... and writes the same files"
fi
cd ..

# ---- O: onstart, onsuccess, onerror ---------------------------------------------
mkdir o && cd o || exit 1
cat > Snakefile <<'SNAKE'
import os
GREETING = "hi"
def note(name):
    with open(name + ".txt", "a") as f:
        f.write(GREETING + " " + name + "\n")
onstart:
    note("onstart")
onsuccess:
    note("onsuccess")
    shell("echo {GREETING} > onsuccess_shell.txt")
    if config.get("raise_ok"):
        raise ValueError("boom in onsuccess")
onerror:
    note("onerror")
    shell("test -f {log} && echo log-is-a-file > onerror_log.txt")
rule a:
    output: "a.txt"
    shell: "test {config[code]} = 0 && touch {output}"
SNAKE
"$KRAIT" run -n -c1 --config code=0 > dry.out 2>&1
[ ! -e onstart.txt ] && [ ! -e onsuccess.txt ]; check $? "a dry run runs no handler"
"$KRAIT" run -c1 --config code=0 > ok.out 2>&1; check $? "a run that succeeds: exit status 0"
sed 's/^/# /' ok.out
same "$(cat onstart.txt onsuccess.txt onsuccess_shell.txt 2>&1)" "hi onstart
hi onsuccess
hi" "... onstart and onsuccess ran, with the Snakefile's globals and shell()"
[ ! -e onerror.txt ]; check $? "... onerror did not"
rm -f onstart.txt onsuccess.txt onerror.txt a.txt
"$KRAIT" run -c1 --config code=1 > fail.out 2>&1; same $? 1 "a run whose job fails: exit status 1"
sed 's/^/# /' fail.out
same "$(cat onstart.txt onerror.txt onerror_log.txt 2>&1)" "hi onstart
hi onerror
log-is-a-file" "... onstart and onerror ran, onerror's log is a file"
[ ! -e onsuccess.txt ]; check $? "... onsuccess did not"
"$KRAIT" run -c1 --config code=0 raise_ok=1 > raise.out 2>&1; st=$?
sed 's/^/# /' raise.out
same "$st" 1 "an onsuccess that raises: exit status 1 (as Snakemake 7.21)"
grep -q "^ValueError in file Snakefile, line 12:" raise.out && grep -q "boom in onsuccess" raise.out
check $? "... the exception is reported as Snakemake reports it"
same "$(ls .krait/jobs)" "" "... no handler job file is left"
if [ -n "$SMK" ]; then
    run_smk -c1 --config code=0 raise_ok=1; same $? 1 "... Snakemake's exit status is 1 too"
    run_smk -c1 --config code=0
    same "$(cat smk/onstart.txt smk/onsuccess.txt smk/onsuccess_shell.txt 2>&1)" \
         "$(printf 'hi onstart\nhi onsuccess\nhi')" "... Snakemake's handlers write the same"
else
    skip "... Snakemake's exit status is 1 too"
    skip "... Snakemake's handlers write the same"
fi
cat > Snakefile.start <<'SNAKE'
onstart:
    raise KeyError("st")
rule b:
    output: "b.txt"
    shell: "touch {output}"
SNAKE
"$KRAIT" run -s Snakefile.start -c1 > start.out 2>&1; same $? 1 "an onstart that raises: exit status 1"
sed 's/^/# /' start.out
[ ! -e b.txt ] && grep -q "^KeyError in file Snakefile.start, line 2:" start.out
check $? "... no job ran, the exception is reported"
cd ..

echo "1..$n"
