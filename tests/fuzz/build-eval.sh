#!/bin/sh
# build-eval.sh - build and (optionally) run the evaluator fuzzer
# (fuzz_eval.c) with clang's libFuzzer, ASan and UBSan, compiling the
# grammar, core and evaluator sources directly (no autotools build dir).
#
#   tests/fuzz/build-eval.sh [OUTDIR]            build OUTDIR/fuzz_eval (default /tmp/krait-fuzz-eval)
#   tests/fuzz/build-eval.sh OUTDIR run [SECS]   ... and fuzz for SECS seconds (default 600)
#                                                from a seed corpus made of tests/lang/ok and evalbad
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-/tmp/krait-fuzz-eval}
mkdir -p "$out/gen" "$out/corpus" "$out/crashes"
bison -Wall -d -o "$out/gen/parser.c" "$src/grammar/parser.y"
CC=${CC:-clang}
libs=$(pkg-config --cflags --libs yaml-0.1 libpcre2-8 jansson)
# shellcheck disable=SC2086
$CC -std=gnu11 -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
    -I"$src/src" -I"$src/grammar" -I"$out/gen" \
    -o "$out/fuzz_eval" "$src/tests/fuzz/fuzz_eval.c" "$out/gen/parser.c" \
    "$src/grammar/lex.c" "$src/grammar/ast.c" "$src/grammar/source.c" "$src/src/kr.c" \
    "$src/src/value.c" "$src/src/eval.c" "$src/src/builtins.c" "$src/src/builtin-methods.c" \
    "$src/src/builtin-format.c" "$src/src/builtin-smk.c" "$src/src/builtin-os.c" \
    "$src/src/builtin-table.c" "$src/src/config.c" "$src/src/workflow.c" "$src/src/wf-lookup.c" "$src/src/wf-job.c" \
    "$src/src/shellfmt.c" $libs -lm
echo "built $out/fuzz_eval"
if [ "${2:-}" = run ]; then
    cp "$src"/tests/lang/ok/*.smk "$src"/tests/lang/evalbad/*.smk "$out/corpus/"
    cd "$out"  # the target chdirs into its own temporary directory: paths below are absolute
    dict=""
    [ -f "$src/tests/fuzz/rules.dict" ] && dict="-dict=$src/tests/fuzz/rules.dict"
    # shellcheck disable=SC2086
    ./fuzz_eval -max_total_time="${3:-600}" -timeout=25 -rss_limit_mb=3072 \
        -max_len=8192 $dict -artifact_prefix="$out/crashes/" -print_final_stats=1 "$out/corpus"
fi
