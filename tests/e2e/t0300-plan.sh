#!/bin/sh
# t0300-plan.sh - `krait plan`, `krait explain` and `krait dag` end to end on
# small Snakefiles in a fresh directory: the exact dry-run listing, nothing
# to do once built, mtime staleness (touch -d) and its explanation, missing
# inputs with their chain, ambiguity and ruleorder, constraints, cycles,
# --json, -q, --until/--omit-from, -R, dot/mermaid output, usage errors.
set -u
: "${KRAIT:?KRAIT must name the krait binary}"
RUN="${KR_VALGRIND:-} $KRAIT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
echo "1..21"
n=0
check() {   # check NAME WANTFILE GOTFILE
    n=$((n + 1))
    if cmp -s "$2" "$3"; then echo "ok $n - $1"; else
        echo "not ok $n - $1"; diff -u "$2" "$3" | head -30 | sed 's/^/# /'; fi
}
checkrc() { # checkrc NAME WANT GOT
    n=$((n + 1))
    if [ "$2" = "$3" ]; then echo "ok $n - $1"; else echo "not ok $n - $1 (got $3, want $2)"; fi
}

cat > Snakefile <<'SMK'
SAMPLES = ["A", "B"]

rule all:
    input: expand("calls/{s}.vcf", s=SAMPLES)

rule call:
    input: "mapped/{s}.bam", "ref.fa"
    output: "calls/{s}.vcf"
    shell: "cat {input} > {output}"

rule map:
    input: "raw/{s}.fq"
    output: "mapped/{s}.bam"
    shell: "cp {input} {output}"
SMK
mkdir -p raw && echo a > raw/A.fq && echo b > raw/B.fq && echo r > ref.fa
touch -d '2020-01-01' raw/A.fq raw/B.fq ref.fa

$RUN plan > out 2>&1
cat > want <<'EOF2'
rule map (job 0):
    wildcards: s=A
    input: raw/A.fq
    output: mapped/A.bam
    reason: missing output: mapped/A.bam

rule call (job 1):
    wildcards: s=A
    input: mapped/A.bam, ref.fa
    output: calls/A.vcf
    reason: missing output: calls/A.vcf

rule map (job 2):
    wildcards: s=B
    input: raw/B.fq
    output: mapped/B.bam
    reason: missing output: mapped/B.bam

rule call (job 3):
    wildcards: s=B
    input: mapped/B.bam, ref.fa
    output: calls/B.vcf
    reason: missing output: calls/B.vcf

rule all (job 4, target):
    input: calls/A.vcf, calls/B.vcf
    reason: updated input: calls/A.vcf (job 1, rule call)

Job counts:
    rule     count
    all          1
    call         2
    map          2
    total        5

5 jobs to run
EOF2
check "plan: full listing from scratch" want out

$RUN plan -q > out 2>&1
sed -n '/^Job counts/,$p' want > want.q
check "plan -q: counts only" want.q out

# build by hand, outputs newer than inputs
mkdir -p mapped calls
for s in A B; do cp raw/$s.fq mapped/$s.bam; cat mapped/$s.bam ref.fa > calls/$s.vcf; done
touch -d '2021-01-01' mapped/*.bam
touch -d '2022-01-01' calls/*.vcf
$RUN plan > out 2>&1
echo "Nothing to be done." > want
check "plan: nothing to be done when up to date" want out

touch -d '2021-06-01' raw/B.fq
$RUN plan -q > out 2>&1
cat > want <<'EOF2'
Job counts:
    rule     count
    all          1
    call         1
    map          1
    total        3

3 jobs to run
EOF2
check "touch -d: only sample B's chain reruns" want out

$RUN explain calls/B.vcf > out 2>&1
cat > want <<'EOF2'
'calls/B.vcf' is made by job 3 (rule call, s=B), which runs: updated input: mapped/B.bam (job 2, rule map)
  'mapped/B.bam' is made by job 2 (rule map, s=B), which runs: input newer than output: raw/B.fq
    'raw/B.fq' is newer (a source file) than the output
EOF2
check "explain: the chain of reasons" want out
$RUN plan --explain calls/A.vcf > out 2>&1
echo "'calls/A.vcf' is made by job 1 (rule call, s=A), which is up to date" > want
check "plan --explain: an up-to-date file" want out

$RUN plan --json > out.json 2>&1
python3 -c '
import json, sys
d = json.load(open("out.json"))
print(d["total"], d["counts"], [(j["rule"], j["wildcards"], j["reason"]) for j in d["jobs"]])
' > out 2>&1
echo "3 {'all': 1, 'call': 1, 'map': 1} [('map', {'s': 'B'}, 'input newer than output'), ('call', {'s': 'B'}, 'updated input'), ('all', {}, 'updated input')]" > want
check "plan --json: jobs, reasons and counts" want out

$RUN plan -q -R call > out 2>&1
tail -1 out > got; echo "4 jobs to run" > want
check "-R call: both calls, map B, all" want got
$RUN plan -q --until map > out 2>&1
tail -1 out > got; echo "1 job to run" > want
check "--until map: only map B" want got
$RUN plan -q --omit-from call > out 2>&1
tail -1 out > got; echo "1 job to run" > want
check "--omit-from call: only map B" want got
$RUN plan -q -F calls/A.vcf > out 2>&1
tail -1 out > got; echo "2 jobs to run" > want
check "-F with a file target: its two jobs" want got

$RUN dag --format mermaid > out 2>&1
cat > want <<'EOF2'
flowchart TB
    n0["map<br/>s: A"]
    n1["call<br/>s: A"]
    n2["map<br/>s: B"]
    n3["call<br/>s: B"]
    n4["all"]
    n0 --> n1
    n1 --> n4
    n2 --> n3
    n3 --> n4
EOF2
check "dag --format mermaid" want out
$RUN dag --rules > out 2>&1
cat > want <<'EOF2'
digraph krait {
    graph[bgcolor=white, margin=0];
    node[shape=box, style=rounded, fontname=sans, fontsize=10, penwidth=2];
    edge[penwidth=2, color=grey];
    0[label = "all", color = "0.00 0.6 0.85", style="rounded"];
    1[label = "call", color = "0.33 0.6 0.85", style="rounded"];
    2[label = "map", color = "0.67 0.6 0.85", style="rounded"];
    1 -> 0
    2 -> 1
}
EOF2
check "dag --rules (dot)" want out

# errors
rm raw/B.fq mapped/B.bam calls/B.vcf
$RUN plan > out 2>&1; rc=$?
checkrc "missing input: exit 1" 1 $rc
echo "krait: error: missing input file 'raw/B.fq' for rule 'map' (wildcards: s=B), needed by 'mapped/B.bam' <- rule 'call' <- 'calls/B.vcf' <- target rule 'all'; no rule makes it and it does not exist" > want
check "missing input: the chain from the target" want out

$RUN plan --forcall > out 2>&1; rc=$?
checkrc "unknown option: exit 2" 2 $rc
head -1 out > got
echo "krait: error: unknown option '--forcall' (did you mean '--forceall'?)" > want
check "unknown option: did you mean" want got

mkdir amb && cd amb
cat > Snakefile <<'SMK'
rule all:
    input: "x.txt", "n/12.out"

rule one:
    input: "src.a"
    output: "{name}.txt"
    shell: "cp {input} {output}"

rule two:
    input: "src.b"
    output: "{stem}.txt"
    shell: "cp {input} {output}"

rule num:
    output: "n/{i,\d+}.out"
    shell: "touch {output}"

rule word:
    output: "n/{w,[a-z]+}.out"
    shell: "touch {output}"
SMK
touch src.a src.b
$RUN plan > out 2>&1; rc=$?
checkrc "ambiguous rules: exit 1" 1 $rc
echo "krait: error: rules 'one' and 'two' are ambiguous for the file 'x.txt' (one: name=x; two: stem=x), needed by target rule 'all'; give one of them a unique output prefix, constrain the wildcards, or add a ruleorder" > want
check "ambiguous rules: message" want out
printf '\nruleorder: two > one\n' >> Snakefile
$RUN plan > out 2>&1
grep -E '^rule|reason' out > got
cat > want <<'EOF2'
rule two (job 0):
    reason: missing output: x.txt
rule num (job 1):
    reason: missing output: n/12.out
rule all (job 2, target):
    reason: updated input: x.txt (job 0, rule two)
EOF2
check "ruleorder and inline constraints pick the rules" want got
cd ..

mkdir cyc && cd cyc
cat > Snakefile <<'SMK'
rule all:
    input: "x.a"
rule ab:
    input: "{n}.b"
    output: "{n}.a"
    shell: "cp {input} {output}"
rule ba:
    input: "{n}.a"
    output: "{n}.b"
    shell: "cp {input} {output}"
SMK
$RUN plan > out 2>&1
echo "krait: error: cyclic dependency: 'x.a' <- rule 'ab' <- 'x.b' <- rule 'ba' <- 'x.a' (rule 'ba' needs its own output, directly or through others)" > want
check "cycle: printed with rules and files" want out
