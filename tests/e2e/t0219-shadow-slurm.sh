#!/bin/sh
# t0219-shadow-slurm.sh - shadow: under `krait run --executor slurm` (a
# shared file system, as Snakemake assumes for shadow rules on a cluster):
# the job is submitted with its shadow directory as working directory
# (sbatch --chdir), krait moves the outputs and logs back when SLURM says
# the job is done. Skips when the test SLURM cannot come up here.
set -u
. "$KR_SRCDIR/tests/e2e/slurm-lib.sh"
slurm_ensure_up || exit 0
. "$KR_SRCDIR/tests/e2e/tap.sh"
T=$(mktemp -d) && cd "$T" || exit 1
echo "# in $T"
echo input > test.in
cat > Snakefile <<'SNAKE'
rule all:
    input: "shallow.out", "minimal/out.txt"
rule shallow:
    input: "test.in"
    output: "shallow.out"
    shadow: "shallow"
    shell: "echo junk > junk.txt; pwd > where.txt; cat {input} where.txt > {output}"
rule minimal:
    input: "test.in"
    output: "minimal/out.txt"
    log: "logs/minimal.log"
    shadow: "minimal"
    shell: "test -L test.in; cp {input} {output}; echo logged > {log}"
SNAKE
"$KRAIT" run --executor slurm -j 4 --latency-wait 10 > run.out 2>&1
rc=$?; check $rc "shadowed jobs run in SLURM"
[ $rc -eq 0 ] || sed 's/^/#   /' run.out | tail -n 20
same "$(head -n 1 shallow.out 2>/dev/null)" "input" "shallow output moved back"
case "$(sed -n 2p shallow.out 2>/dev/null)" in
    "$T"/.krait/shadow/shallow.*) check 0 "the SLURM job ran in its shadow directory";;
    *) check 1 "the SLURM job ran in its shadow directory"; sed -n 2p shallow.out;;
esac
test ! -e junk.txt -a ! -e where.txt; check $? "junk stays behind"
same "$(cat minimal/out.txt 2>/dev/null)" "input" "minimal output moved back"
same "$(cat logs/minimal.log 2>/dev/null)" "logged" "minimal log moved back"
same "$(ls -A .krait/shadow 2>/dev/null)" "" "shadow directories removed"
echo "1..$n"
