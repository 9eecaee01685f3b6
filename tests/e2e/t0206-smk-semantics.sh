#!/bin/sh
# t0206-smk-semantics.sh - Snakemake semantics: the default target is the
# first rule of the main Snakefile even when an include: defines rules
# before it; a workflow without rules is valid; a rule with shell: and no
# output: runs; the log: of a rule without a command is created; Namedlist +
# list gives a list; {wildcards} prints as name=value pairs sorted by name;
# an integer in wildcard_constraints is its str().
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
n=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
echo "1..9"
cat > inc.smk <<'SMK'
rule c:
    output: "c.txt"
    shell: "touch {output}"
SMK
cat > Snakefile <<'SMK'
include: "inc.smk"
rule all:
    input: "o/x.y.txt", "b.txt"
    log: "logs/all.log"
rule b:
    input: "in1.txt", extra="in2.txt"
    output: "b.txt"
    shell: "echo {input} > {output}"
rule a:
    input: rules.b.input + ["in1.txt"]
    output: "o/{s}.{t}.txt"
    shell: "echo {wildcards} {wildcards:q} > {output}; echo {input} >> {output}"
SMK
touch in1.txt in2.txt
$KRAIT run -c 1 > run.out 2>&1
t $? "the workflow runs"
[ ! -e c.txt ] && [ -e b.txt ]
t $? "the default target is the main file's first rule, not the included one"
[ "$(cat o/x.y.txt 2>/dev/null)" = "$(printf 's=x,t=y s=x,t=y\nin1.txt in2.txt in1.txt')" ]
t $? "{wildcards} as Snakemake prints it; Namedlist + list is a list"
[ -f logs/all.log ]
t $? "the log: of a rule without a command is created"
printf 'x = 1\n' > Empty
$KRAIT run -s Empty > empty.out 2>&1
t $? "a workflow without rules is valid"
printf 'rule clean:\n    shell: "echo cleaned > cleaned.txt"\n' > Clean
$KRAIT run -s Clean -c 1 > clean.out 2>&1
t $? "a rule with shell: and no output: is accepted"
[ "$(cat cleaned.txt 2>/dev/null)" = cleaned ]
t $? "... and runs"
printf 'wildcard_constraints:\n    n=1\nrule all:\n    input: "a1.txt"\nrule a:\n    output: "a{n}.txt"\n    shell: "touch {output}"\n' > Int
$KRAIT plan -s Int > int.out 2>&1
t $? "an integer wildcard constraint is accepted"
sed 's/a1.txt/a2.txt/' Int > Int2
$KRAIT plan -s Int2 > int2.out 2>&1
[ $? != 0 ] && grep -q "missing input file 'a2.txt'" int2.out
t $? "... and constrains the wildcard to its digits"
