#!/bin/sh
# t0203-workdir.sh - `workdir:` as Snakemake applies it: the directory is
# created and entered when the directive is evaluated, so rule paths,
# glob_wildcards() and the state directory are relative to it, while
# include: and script: paths stay relative to the rule files.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
mkdir -p rules scripts
cat > Snakefile <<'SMK'
workdir: "work"
SAMPLES = sorted(glob_wildcards("data/{s}.txt").s)

rule all:
    input: expand("out/{s}.up", s=SAMPLES), "out/report.txt"

rule report:
    input: expand("out/{s}.up", s=SAMPLES)
    output: "out/report.txt"
    script: "scripts/report.py"

include: "rules/extra.smk"
SMK
cat > rules/extra.smk <<'SMK'
rule up:
    input: "data/{s}.txt"
    output: "out/{s}.up"
    shell: "tr a-z A-Z < {input} > {output}"
SMK
cat > scripts/report.py <<'PY'
with open(snakemake.output[0], "w") as f:
    for p in snakemake.input:
        f.write(p + " " + open(p).read())
PY
mkdir -p work/data
echo hello > work/data/a.txt
echo world > work/data/b.txt
n=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }

$KRAIT run -c 2 > run.out 2>&1
t $? "krait run with workdir: succeeds"
[ "$(cat work/out/a.up work/out/b.up 2>/dev/null)" = "$(printf 'HELLO\nWORLD')" ]
t $? "outputs are made inside the workdir, from inputs found by glob_wildcards there"
[ "$(cat work/out/report.txt 2>/dev/null)" = "$(printf 'out/a.up HELLO\nout/b.up WORLD')" ]
t $? "script: is found relative to the Snakefile and sees workdir-relative paths"
[ -d work/.krait ] && [ ! -e .krait ]
t $? "the state directory lives in the workdir"
$KRAIT run -c 2 > again.out 2>&1 && grep -q "Nothing to be done" again.out
t $? "a second run has nothing to do"
rm -rf work2 && sed 's/"work"/"work2\/deep"/' Snakefile > S2 && $KRAIT lint -s S2 > /dev/null 2>&1
t $? "lint with a workdir that does not exist yet"
[ -d work2/deep ]
t $? "the workdir is created"
cat run.out again.out | sed 's/^/# /'
echo "1..$n"
