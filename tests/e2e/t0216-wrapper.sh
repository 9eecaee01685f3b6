#!/bin/sh
# t0216-wrapper.sh - wrapper: as Snakemake resolves it (wrapper.get_path,
# find_extension): --wrapper-prefix file://DIR/ plus the spec, or a file:
# spec, runs DIR/SPEC/wrapper.py as the rule's script with the snakemake
# object and `from snakemake.shell import shell`; a wrapper on the network
# (the default prefix) plans, but its job fails naming the URL and the
# local alternative (krait downloads no code); a directory without a
# wrapper file is an error; wrapper: with shell: is contradictory.
set -u
. "$KR_SRCDIR/tests/e2e/tap.sh"
T=$(mktemp -d) && cd "$T" || exit 1
echo "# in $T"
command -v python3 > /dev/null || { echo "1..0 # SKIP python3 runs wrappers"; exit 0; }
mkdir -p wr/v1/bio/upper wr/v1/bio/empty
cat > wr/v1/bio/upper/wrapper.py <<'PY'
from snakemake.shell import shell
n = snakemake.params.get("n", 1)
shell("tr a-z A-Z < {snakemake.input[0]} > {snakemake.output[0]}; echo {n} >> {snakemake.output[0]}")
PY
echo hello > in.txt
cat > Snakefile <<'SNAKE'
rule all:
    input: "out.txt", "out2.txt"
rule up:
    input: "in.txt"
    output: "out.txt"
    params: n=3
    wrapper: "v1/bio/upper"
rule up2:
    input: "in.txt"
    output: "out2.txt"
    wrapper: "file:wr/v1/bio/upper"
SNAKE
"$KRAIT" run -q -c 1 --wrapper-prefix "file://$T/wr/" > run.out 2>&1; check $? "run with --wrapper-prefix file://DIR/"
same "$(cat out.txt | tr '\n' ' ')" "HELLO 3 " "the wrapper ran with the snakemake object and shell()"
same "$(cat out2.txt | tr '\n' ' ')" "HELLO 1 " "a file: spec runs its wrapper.py"
rm -f out.txt out2.txt
"$KRAIT" plan > plan.out 2>&1; check $? "without a prefix the workflow still plans"
"$KRAIT" run -c 1 > net.out 2>&1; [ $? -ne 0 ]; check $? "... but the network wrapper's job fails"
grep -q "rule 'up': wrapper 'v1/bio/upper' lives at https://github.com/snakemake/snakemake-wrappers/raw/v1/bio/upper/wrapper.py and krait does not download code: .*--wrapper-prefix file://DIR/" net.out
check $? "... naming the URL and the local alternative"
printf 'rule e:\n    output: "e.txt"\n    wrapper: "file:wr/v1/bio/empty"\n' > Snakefile.empty
"$KRAIT" lint -s Snakefile.empty > e.out 2>&1; [ $? -ne 0 ]; check $? "a wrapper directory without a wrapper file fails"
grep -q "wr/v1/bio/empty has no wrapper.py, wrapper.R, wrapper.Rmd or wrapper.jl" e.out; check $? "... saying so"
printf 'rule b:\n    output: "b.txt"\n    wrapper: "v1/x"\n    shell: "touch {output}"\n' > Snakefile.both
"$KRAIT" lint -s Snakefile.both > b.out 2>&1; [ $? -ne 0 ]; check $? "wrapper: with shell: fails"
grep -q "has both wrapper: (line 3) and shell:" b.out; check $? "... as contradictory"
echo "1..$n"
