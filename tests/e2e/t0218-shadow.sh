#!/bin/sh
# t0218-shadow.sh - shadow: as Snakemake's documentation and its test_shadow
# / test_shadow_copy workflows describe it: each job runs in its own
# directory under .krait/shadow (or --shadow-prefix DIR/shadow); "minimal"
# links only the inputs (and makes the directories of inputs, outputs and
# logs), "copy-minimal" copies them, "shallow" links every top-level entry,
# "full" re-creates the directory tree with every file linked. Outputs and
# logs are moved back after success, junk stays behind, the shadow
# directory is removed; a failed job leaves no output in the workdir.
set -u
. "$KR_SRCDIR/tests/e2e/tap.sh"
T=$(mktemp -d) && cd "$T" || exit 1
echo "# in $T"
mkdir -p data/sub
echo input > test.in
echo deep > data/sub/deep.txt
cat > Snakefile <<'SNAKE'
rule all:
    input: "simple_shallow.out", "simple_full.out", "touched.out", "minimal/ok.out",
           "copy.out", "res/deep.out", "script.out", "protected.out"

rule shallow:
    input: "test.in"
    output: "simple_shallow.out"
    shadow: "shallow"
    shell:
        """
        echo 1 > junk.out
        cat {input} >> {output}
        echo simple_shallow >> {output}
        test ! -f more_junk.out
        test -L test.in
        case "$PWD" in */shadow/shallow.*) ;; *) exit 3;; esac
        """

rule full:
    input: "test.in"
    output: "simple_full.out"
    shadow: "full"
    shell:
        """
        echo 1 > more_junk.out
        cat {input} > {output}
        echo simple_full >> {output}
        test ! -f junk.out
        test -d data/sub -a ! -L data/sub -a -L data/sub/deep.txt
        """

rule touch:
    output: touch("touched.out")
    log: "logs/shadow.log"
    benchmark: "bench/touch.tsv"
    shadow: "shallow"
    shell: "echo logged > {log}"

rule minimal:
    input: "test.in", "data/sub/deep.txt"
    output: "minimal/ok.out"
    log: "logs/minimal.log"
    benchmark: "bench/minimal.tsv"
    shadow: "minimal"
    shell:
        """
        test -L test.in -a -L data/sub/deep.txt
        test ! -e Snakefile
        test -d minimal -a -d logs
        echo scratch > scratch.tmp
        cat {input} > {output}
        echo minimal > {log}
        """

rule copy:
    input: "test.in"
    output: "copy.out"
    shadow: "copy-minimal"
    shell: "test -f test.in -a ! -L test.in && cp {input} {output}"

rule deep:
    input: "data/sub/deep.txt"
    output: "res/deep.out"
    shadow: "full"
    shell: "mkdir -p res; cp {input} {output}; echo junk > res/junk.txt"

rule script:
    input: "test.in"
    output: "script.out"
    shadow: "minimal"
    run:
        with open(output[0], "w") as f:
            f.write(open(input[0]).read().upper())
        open("run_junk.txt", "w").write("x")

rule protected:
    output: protected("protected.out")
    shadow: "shallow"
    shell: "touch protected.out"

rule failing:
    input: "test.in"
    output: "fail.out"
    log: "logs/fail.log"
    shadow: "minimal"
    shell: "echo partial > {output}; echo why > {log}; exit 1"

rule badmode:
    output: "bad.out"
    shadow: "deep"
    shell: "touch {output}"
SNAKE
sed -n '/^rule badmode/,$!p' Snakefile > Snakefile.ok
"$KRAIT" run -s Snakefile.ok -c 2 > run.out 2>&1; check $? "the shadow run"
sed 's/^/# /' run.out | tail -n 20
same "$(cat simple_shallow.out 2>/dev/null)" "$(printf 'input\nsimple_shallow')" "shallow: output moved back"
same "$(cat simple_full.out 2>/dev/null)" "$(printf 'input\nsimple_full')" "full: output moved back"
test ! -e junk.out -a ! -e more_junk.out -a ! -e scratch.tmp -a ! -e run_junk.txt; check $? "junk stays in the shadow directory"
test -f touched.out -a ! -L touched.out; check $? "touch() output of a shadowed job"
same "$(cat logs/shadow.log 2>/dev/null)" "logged" "log written in the shadow directory is moved back"
test -s bench/touch.tsv; check $? "benchmark of a shadowed job is written"
same "$(cat minimal/ok.out 2>/dev/null)" "$(printf 'input\ndeep')" "minimal: inputs linked, output moved back"
same "$(cat logs/minimal.log 2>/dev/null)" "minimal" "minimal: log moved back"
same "$(cat copy.out 2>/dev/null)" "input" "copy-minimal: inputs are copies"
same "$(cat res/deep.out 2>/dev/null)" "deep" "full: output in a new subdirectory moved back"
test ! -e res/junk.txt; check $? "full: junk next to the output stays behind"
same "$(cat script.out 2>/dev/null)" "INPUT" "run: block in a minimal shadow"
same "$(stat -c %a protected.out 2>/dev/null)" 444 "protected() output of a shadowed job is read-only"
same "$(ls -A .krait/shadow 2>/dev/null)" "" "every shadow directory was removed"

"$KRAIT" run -s Snakefile.ok -c 1 fail.out > fail.out.txt 2>&1
test $? -ne 0; check $? "a failing shadowed job fails the run"
test ! -e fail.out; check $? "a failed shadowed job leaves no output in the workdir"
same "$(cat logs/fail.log 2>/dev/null)" "why" "its log is moved back"
same "$(ls -A .krait/shadow 2>/dev/null)" "" "its shadow directory was removed"

"$KRAIT" run -s Snakefile.ok -c 1 --keep-incomplete fail.out > fail2.txt 2>&1
grep -q "kept the shadow directory" fail2.txt; check $? "--keep-incomplete keeps the shadow directory"
same "$(cat .krait/shadow/failing.*/fail.out 2>/dev/null)" "partial" "the kept directory holds the partial output"
rm -rf .krait/shadow/*

P=$(mktemp -d)
rm -f simple_shallow.out minimal/ok.out
"$KRAIT" run -s Snakefile.ok -c 2 --shadow-prefix "$P/scratch" simple_shallow.out minimal/ok.out > prefix.txt 2>&1
check $? "run with --shadow-prefix"
test -d "$P/scratch/shadow"; check $? "shadow directories made under PREFIX/shadow"
same "$(ls -A "$P/scratch/shadow")" "" "and removed again"
same "$(cat minimal/ok.out 2>/dev/null)" "$(printf 'input\ndeep')" "outputs moved back from the prefix"
rm -rf "$P"

"$KRAIT" plan bad.out > bad.txt 2>&1
test $? -ne 0; check $? "an unknown shadow mode is an error"
grep -q "Shadow must either be 'minimal', 'copy-minimal', 'shallow', 'full', or True" bad.txt
check $? "with Snakemake's message"
sed 's/^/# /' bad.txt
cat > Snakefile.up <<'SNAKE'
rule up:
    input: "../outside.txt"
    output: "up.out"
    shadow: "minimal"
    shell: "cp {input} {output}"
SNAKE
echo o > ../outside.txt.$$ ; cp ../outside.txt.$$ ../outside.txt 2>/dev/null
"$KRAIT" run -s Snakefile.up -c 1 > up.txt 2>&1
test $? -ne 0; check $? "minimal: an input in a parent directory is refused"
grep -q "references a parent directory" up.txt; check $? "as Snakemake refuses it"
rm -f ../outside.txt.$$
echo "1..$n"
