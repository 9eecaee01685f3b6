#!/bin/sh
# t0411-gpu.sh - GPU indices: with --resources gpu=2 a job asking gpu=1
# gets CUDA_VISIBLE_DEVICES set to one free index out of 0..1; two such
# jobs running together never share one; a gpu=2 job gets "0,1"; jobs
# asking none see no CUDA_VISIBLE_DEVICES from krait.
set -u
cd "$(mktemp -d)" || exit 1
. "$KR_SRCDIR/tests/e2e/tap.sh"
kr() { ${KR_VALGRIND:-} "$KRAIT" "$@"; }
unset CUDA_VISIBLE_DEVICES

cat > Snakefile <<'SNAKE'
rule all:
    input: expand("one/{i}.txt", i=range(4)), "two.txt", "none.txt"
rule one:
    output: "one/{i}.txt"
    resources: gpu=1
    shell: "echo start $(date +%s.%N) $CUDA_VISIBLE_DEVICES >> gpu.log; sleep 0.3; echo end $(date +%s.%N) $CUDA_VISIBLE_DEVICES >> gpu.log; echo $CUDA_VISIBLE_DEVICES > {output}"
rule two:
    output: "two.txt"
    resources: gpu=2
    shell: "echo $CUDA_VISIBLE_DEVICES > {output}"
rule none:
    output: "none.txt"
    shell: "echo \"[${{CUDA_VISIBLE_DEVICES:-unset}}]\" > {output}"
SNAKE

kr run -c 4 --resources gpu=2 -q > /dev/null 2> err.txt; check $? "run with --resources gpu=2"
same "$(cat one/*.txt | sort | uniq -c | awk '{print $1 "x" $2}' | tr '\n' ' ')" "2x0 2x1 " \
     "gpu=1 jobs got device 0 or 1, each twice"
same "$(cat two.txt)" "0,1" "gpu=2 job got both devices"
same "$(cat none.txt)" "[unset]" "a job without gpu gets no CUDA_VISIBLE_DEVICES"
# no device used by two jobs at once: per device, starts and ends alternate
bad=$(sort -k2,2n gpu.log | awk '{ if ($1 == "start") { if (busy[$3]) bad++; busy[$3] = 1 } else busy[$3] = 0 } END { print bad + 0 }')
same "$bad" "0" "no device is shared by two running jobs"
par=$(sort -k2,2n gpu.log | awk '$1 == "start" { c++; if (c > m) m = c } $1 == "end" { c-- } END { print m }')
same "$par" "2" "two gpu=1 jobs ran at once"

echo "1..$n"
