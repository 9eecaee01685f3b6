#!/bin/sh
# t0420-flags.sh - output flags and job files: temp() outputs are deleted
# once every consumer has finished (kept with --notemp); protected()
# outputs are made read-only; touch() outputs are created; directory()
# outputs get a .snakemake_timestamp; log: files receive the job's output
# (and are not duplicated under .krait/log); benchmark: gets Snakemake's TSV.
set -u
cd "$(mktemp -d)" || exit 1
. "$KR_SRCDIR/tests/e2e/tap.sh"
kr() { ${KR_VALGRIND:-} "$KRAIT" "$@"; }

cat > Snakefile <<'SNAKE'
rule all:
    input: "final.txt", "flag.done", "outdir", "safe.txt"

rule make_tmp:
    output: temp("tmp/{x}.txt")
    shell: "echo {wildcards.x} > {output}"

rule use1:
    input: "tmp/a.txt"
    output: "use1.txt"
    shell: "test -f tmp/b.txt || sleep 0.2; cat {input} > {output}; ls tmp | tr '\\n' ' ' > seen1.txt"

rule final:
    input: "use1.txt", "tmp/a.txt", "tmp/b.txt"
    output: "final.txt"
    log: "logs/final.log"
    benchmark: "bench/final.tsv"
    shell: "cat {input} > {output}; echo written to the log"

rule flag:
    output: touch("flag.done")
    shell: "true"

rule mkdir:
    output: directory("outdir")
    shell: "mkdir -p {output}; echo x > {output}/x.txt"

rule protect:
    output: protected("safe.txt")
    shell: "echo precious > {output}"
SNAKE

kr run -c 1 -q > /dev/null 2> err.txt; check $? "run with flags"
same "$(cat final.txt | tr '\n' ' ')" "a a b " "final has its inputs"
[ ! -e tmp/a.txt ] && [ ! -e tmp/b.txt ]; check $? "temp() outputs deleted after their consumers"
grep -q "a.txt" seen1.txt; check $? "temp file still there while a consumer ran"
[ -f flag.done ]; check $? "touch() output created"
[ -f outdir/.snakemake_timestamp ] && [ -f outdir/x.txt ]; check $? "directory() output has .snakemake_timestamp"
[ ! -w safe.txt ] || [ "$(id -u)" = 0 ]; check $? "protected() output is not writable"
same "$(stat -c %A safe.txt | cut -c3,6,9)" "---" "protected(): no write bits"
same "$(cat logs/final.log)" "written to the log" "log: file has the job's output"
[ ! -e .krait/log/final ]; check $? "no second log under .krait/log for a rule with log:"
same "$(head -n 1 bench/final.tsv)" "$(printf 's\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time')" \
     "benchmark header as Snakemake"
same "$(sed -n 2p bench/final.tsv | awk -F '\t' '{ print NF, $2, $4, $5, $6 }')" "10 0:00:00 NA NA NA" \
     "benchmark row: 10 fields, h:m:s, NA where wait4 knows nothing"
sed -n 2p bench/final.tsv | awk -F '\t' '$1 ~ /^[0-9]+\.[0-9][0-9][0-9][0-9]$/ && $3 ~ /^[0-9]+\.[0-9][0-9]$/ { ok = 1 } END { exit !ok }'
check $? "benchmark s and max_rss are numbers"

rm -f final.txt
chmod u+w safe.txt
rm -rf .krait safe.txt
kr run -c 1 -q --notemp > /dev/null 2>&1; check $? "run --notemp"
[ -f tmp/a.txt ] && [ -f tmp/b.txt ]; check $? "--notemp keeps temp() outputs"

echo "1..$n"
