#!/bin/sh
# t0412-standard-resources.sh - Snakemake's standard resources and their
# command-line overrides: mem/disk as human-readable sizes give mem_mb and
# disk_mb (decimal MB) and mem_mib/disk_mib; runtime as a time span gives
# minutes; --set-threads RULE=N and --set-resources RULE:NAME=VALUE replace
# what one rule says (not its `use rule` copies); --default-resources
# values are Python expressions of input.size_mb and attempt. The numbers
# are Snakemake's: 5GB -> mem_mb 5000 (mem_mib = ceil(5000 * 0.95367...) =
# 4769), 1TB -> disk_mb 1000000 (disk_mib 953675); 3*1024+input.size_mb
# for a 3,000,000-byte input is round(3074.86) = 3075.
set -u
cd "$(mktemp -d)" || exit 1
. "$KR_SRCDIR/tests/e2e/tap.sh"
kr() { ${KR_VALGRIND:-} "$KRAIT" "$@"; }

cat > Snakefile <<'SNAKE'
rule sizes:
    output: "sizes.txt"
    resources: mem="5GB", disk="1TB", runtime="1h30m"
    shell: "echo {resources.mem_mb} {resources.mem_mib} {resources.disk_mb} {resources.disk_mib} {resources.runtime} {resources.mem} > {output}"
rule mb:
    output: "mb.txt"
    resources: mem_mb=3000, runtime="2h", mem="2GiB"
    shell: "echo {resources.mem_mb} {resources.mem_mib} {resources.runtime} > {output}"
rule bad:
    output: "bad.txt"
    resources: mem="lots"
    shell: "touch {output}"
rule a:
    output: "a.txt"
    threads: 2
    resources: mem="5GB"
    shell: "echo {threads} {resources.mem_mb} {resources.mem_mib} {resources.part} > {output}"
use rule a as b with:
    output: "b.txt"
    shell: "echo {threads} {resources.mem_mb} > {output}"
SNAKE

kr run -q -c 4 sizes.txt mb.txt > out 2>&1
check $? "rules with human-readable resources run"
same "$(cat sizes.txt)" "5000 4769 1000000 953675 90 5GB" "mem=5GB, disk=1TB, runtime=1h30m: mem_mb, mem_mib, disk_mb, disk_mib, minutes"
same "$(cat mb.txt)" "3000 2862 120" "mem_mb the rule sets itself wins over mem=; it gives mem_mib; runtime=2h is 120"
kr run -q -c 4 sizes.txt --resources mem_mb=4000 -F > lim 2>&1
check $((! $?)) "mem=5GB counts as mem_mb=5000 against --resources mem_mb=4000"
grep -q 'needs mem_mb=5000 but only mem_mb=4000' lim
check $? "... with the scheduler's message"
kr run -q -c 1 bad.txt > bad 2>&1
check $((! $?)) "a size that is not one fails"
grep -q "Snakefile:9:1: error: rule 'bad': cannot read mem=\"lots\" as a size" bad
check $? "... saying which rule and what to write"

kr run -q -c 4 a.txt b.txt --set-threads a=3 --set-resources a:mem=1GB a:part=long zz:x=1 > set 2>&1
check $? "--set-threads / --set-resources"
same "$(cat a.txt)" "3 1000 954 long" "they replace rule a's threads and mem, and add a resource"
same "$(cat b.txt)" "2 5000" "rule b, made from a with use rule, keeps its own"
grep -q "warning: --set-resources: the workflow has no rule named 'zz'" set
check $? "an unknown rule name is a warning"
kr run -q -c 1 a.txt --set-resources a:mem > sb 2>&1
check $((! $?)) "--set-resources without =VALUE is refused"
grep -q "is not RULE:RESOURCE=VALUE" sb
check $? "... naming the expected shape"
kr run -q -c 1 a.txt --set-threads a=x > st 2>&1
check $((! $?)) "--set-threads with a non-integer is refused"

head -c 3000000 /dev/zero > big.in
cat > Snakefile.def <<'SNAKE'
rule a:
    input: "big.in"
    output: "d.txt"
    shell: "echo {attempt} > {output}; test {attempt} -ge 2"
SNAKE
kr run -q -c 1 -s Snakefile.def --retries 1 --default-resources "mem_mb=3*1024+input.size_mb" --resources mem_mb=3000 > d1 2>&1
grep -q 'needs mem_mb=3075 but only mem_mb=3000' d1
check $? "--default-resources mem_mb=3*1024+input.size_mb is evaluated per job"
kr run -q -c 1 -s Snakefile.def --retries 1 --default-resources "disk_mb=attempt*1000" --resources disk_mb=1500 > d2 2>&1
grep -q 'needs disk_mb=2000 but only disk_mb=1500' d2
check $? "... with attempt (the retry asks for more)"
kr run -q -c 1 -s Snakefile.def --retries 1 --default-resources "disk_mb=attempt*1000" machine=n1-standard-4 --resources disk_mb=2000 > d3 2>&1
check $? "a value naming nothing known is a string (machine=n1-standard-4)"
same "$(cat d.txt 2>/dev/null)" "2" "the second attempt ran"
kr run -q -c 1 -s Snakefile.def -F --default-resources "mem_mb=[1]" > d4 2>&1
grep -q "mem_mb=\[1\] gives list; a resource is an integer or a string" d4
check $? "an expression giving neither number nor string is refused"
printf 'resource_scopes: gpus="local", mem_mb="global"\nrule s:\n    output: "s.txt"\n    shell: "touch {output}"\n' > Snakefile.scopes
kr run -q -c 1 -s Snakefile.scopes > sc 2>&1
check $? "resource_scopes: with local/global is accepted"
printf 'resource_scopes: gpus="node"\nrule s:\n    output: "s.txt"\n    shell: "touch {output}"\n' > Snakefile.badscope
kr plan -s Snakefile.badscope > bsc 2>&1
grep -q "^Snakefile.badscope:1:23: error: resource_scopes: gpus='node': the scope is \"local\" or \"global\"" bsc
check $? "another scope is refused where it is written"

# default resources are the job's resources: {resources.X} and scripts see them
cat > Snakefile.dres <<'SNAKE'
rule a:
    output: "dres.txt"
    resources: runtime=5
    shell: "echo {resources.mem_mb} {resources.disk_mb} {resources.tmpname} {resources.runtime} > {output}"
rule p:
    output: "dres.py.txt"
    run:
        with open(output[0], "w") as f:
            f.write("%s %s\n" % (resources.mem_mb, resources.runtime))
SNAKE
kr run -q -c 1 -s Snakefile.dres dres.txt dres.py.txt --default-resources mem_mb=123 "tmpname='x'" runtime=9 > dres 2>&1
check $? "a run with --default-resources"
same "$(cat dres.txt 2>/dev/null)" "123 1000 x 5" "{resources.X} sees the defaults (disk_mb: Snakemake's 1000), the rule's own win"
same "$(cat dres.py.txt 2>/dev/null)" "123 9" "... and so does run:"
echo "1..$n"
