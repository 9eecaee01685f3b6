#!/bin/sh
# t0208-modules.sh - Snakemake modules, planned and run: `module NAME:` with
# snakefile:, config:, prefix: and replace_prefix:; `use rule * from M
# exclude c as M_*`, `use rule c from M as M_c with:` (params replaced,
# evaluated in the using file), `use rule a, b from M2 as M2_*`, a local
# `use rule copy as copy2 with:`. Inside the module, config is the module's
# (also for functions called at job time), include: is relative to the
# module's Snakefile as are its script: paths, rules.a is the module's
# rule a, and a configfile:
# is not read because the module was given config:.
#
# The expected jobs and file contents were verified against Snakemake 7.21
# (`snakemake -n` job stats and a real `snakemake -c1` run of this same
# workflow gave the same jobs and byte-identical outputs); when snakemake
# 7.21 is on PATH the job counts are compared live as well.
set -u
: "${KRAIT:?KRAIT must name the krait binary}"
RUN="${KR_VALGRIND:-} $KRAIT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
mkdir -p wf/other/rules
cd wf || exit 1
cat > other/Snakefile <<'SMK'
configfile: "other/not-read.yaml"
N = config["n"]
include: "rules/extra.smk"

rule a:
    output: "a/{x}.txt"
    params: n=N
    shell: "echo a {params.n} {wildcards.x} > {output}"

rule b:
    input: rules.a.output
    output: "b/{x}.txt"
    log: "logs/b/{x}.log"
    params: tag=lambda wc: config["tag"]
    shell: "cat {input} > {output}; echo b {params.tag} >> {output}; echo b > {log}"

rule d:
    input: "b/{x}.txt"
    output: "d/{x}.txt"
    script: "scripts/d.py"
SMK
mkdir -p other/scripts
cat > other/scripts/d.py <<'PY'
with open(snakemake.output[0], "w") as f:
    f.write("d " + snakemake.config["tag"] + " " + open(snakemake.input[0]).read())
PY
cat > other/rules/extra.smk <<'SMK'
def tag_of(wildcards):
    return config["tag"] + "-" + wildcards.x

rule c:
    input: "b/{x}.txt"
    output: "c/{x}.txt"
    params: tag=tag_of, n=N
    shell: "cat {input} > {output}; echo c {params.tag} {params.n} >> {output}"
SMK
cat > config.yaml <<'YAML'
other:
  n: 5
  tag: first
YAML
cat > Snakefile <<'SMK'
configfile: "config.yaml"

rule all:
    input: expand("mod/c/{x}.txt", x=["1", "2"]), "data/b/1.txt", "copy/1.txt", "mod/d/1.txt"

module other:
    snakefile: "other/Snakefile"
    config: config["other"]
    prefix: "mod"

use rule * from other exclude c as other_*

use rule c from other as other_c with:
    params: tag=lambda wc: "over-" + wc.x, n=config["other"]["n"] * 10

module again:
    snakefile: "other/Snakefile"
    config: {"n": 1, "tag": "second"}
    replace_prefix: {"a/": "data/a/", "b/": "data/b/"}

use rule a, b from again as again_*

rule copy:
    input: "mod/b/{x}.txt"
    output: "copy0/{x}.txt"
    shell: "cp {input} {output}"

use rule copy as copy2 with:
    output: "copy/{x}.txt"
SMK
cd .. || exit 1
cp -R wf smk
cd wf || exit 1

n=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }

$RUN plan > plan.out 2>&1
t $? "krait plan loads the modules"
awk '/^rule /{r=$2} /^    output:/{print r, $2}' plan.out | sort > jobs.got
cat > jobs.want <<'JOBS'
again_a data/a/1.txt
again_b data/b/1.txt
copy2 copy/1.txt
other_a mod/a/1.txt
other_a mod/a/2.txt
other_b mod/b/1.txt
other_b mod/b/2.txt
other_c mod/c/1.txt
other_c mod/c/2.txt
other_d mod/d/1.txt
JOBS
diff -u jobs.want jobs.got > jobs.diff
t $? "the dry run's jobs: prefixed, replaced and renamed as Snakemake makes them"
sed 's/^/# /' jobs.diff
awk '/^Job counts:/{on=1; next} on && NF == 2 && $1 != "rule" {print $1, $2}' plan.out > counts.got
printf '%s\n' "again_a 1" "again_b 1" "all 1" "copy2 1" "other_a 2" "other_b 2" "other_c 2" \
    "other_d 1" "total 11" > counts.want
cmp -s counts.want counts.got
t $? "job counts as snakemake -n 7.21 gives them"

if command -v snakemake > /dev/null 2>&1 && snakemake --version 2>/dev/null | grep -q '^7\.21\.'; then
    (cd ../smk && snakemake -n -c1 > ../smk.out 2>&1)
    # the first job stats table (Snakemake prints it again at the end)
    awk '$1 ~ /^[a-z_0-9]+$/ && NF == 4 && $2 ~ /^[0-9]+$/ {print $1, $2; if ($1 == "total") exit}' \
        ../smk.out > counts.smk
    cmp -s counts.smk counts.got
    t $? "job counts equal a live snakemake 7.21 -n"
    cmp -s counts.smk counts.got || { diff -u counts.smk counts.got; sed -n 1,30p ../smk.out; } |
        sed 's/^/# /'
else
    n=$((n + 1)); echo "ok $n # SKIP snakemake 7.21 is not installed"
fi

$RUN run -c 2 > run.out 2>&1
t $? "krait run succeeds"
[ "$(cat mod/c/1.txt 2>/dev/null)" = "$(printf 'a 5 1\nb first\nc over-1 50')" ]
t $? "module config: reaches module rules and module functions at job time; with: params replace the module's"
[ "$(cat mod/c/2.txt 2>/dev/null)" = "$(printf 'a 5 2\nb first\nc over-2 50')" ]
t $? "second wildcard value"
[ "$(cat data/b/1.txt 2>/dev/null)" = "$(printf 'a 1 1\nb second')" ]
t $? "replace_prefix: module used twice with another config"
[ "$(cat copy/1.txt 2>/dev/null)" = "$(printf 'a 5 1\nb first')" ]
t $? "local use rule with a replaced output"
[ "$(cat mod/d/1.txt 2>/dev/null)" = "$(printf 'd first a 5 1\nb first')" ]
t $? "a module rule's script: is found next to the module's Snakefile and sees the module's config"
[ -f mod/logs/b/1.log ] && [ -f logs/b/1.log ] && [ ! -e mod/c/logs ]
t $? "logs are prefixed by prefix:, and kept by replace_prefix: when no prefix matches"
$RUN run -c 2 > again.out 2>&1 && grep -q "Nothing to be done" again.out
t $? "a second run has nothing to do"
cat plan.out run.out | sed 's/^/# /'
echo "1..$n"
