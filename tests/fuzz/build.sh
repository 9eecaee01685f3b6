#!/bin/sh
# build.sh - build and (optionally) run the parser fuzzer with clang's
# libFuzzer, ASan and UBSan, compiling the grammar and core sources directly
# (no dependency on an autotools build directory).
#
#   tests/fuzz/build.sh [OUTDIR]            build OUTDIR/fuzz_parse (default /tmp/krait-fuzz)
#   tests/fuzz/build.sh OUTDIR run [SECS]   ... and fuzz for SECS seconds (default 600)
#                                           from a seed corpus made of tests/lang
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-/tmp/krait-fuzz}
mkdir -p "$out/gen" "$out/corpus" "$out/crashes"
bison -Wall -d -o "$out/gen/parser.c" "$src/grammar/parser.y"
CC=${CC:-clang}
$CC -std=gnu11 -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
    -I"$src/src" -I"$src/grammar" -I"$out/gen" \
    -o "$out/fuzz_parse" "$src/tests/fuzz/fuzz_parse.c" "$out/gen/parser.c" \
    "$src/grammar/lex.c" "$src/grammar/ast.c" "$src/grammar/source.c" "$src/src/kr.c"
echo "built $out/fuzz_parse"
if [ "${2:-}" = run ]; then
    cp "$src"/tests/lang/syntax/*.smk "$src"/tests/lang/bad/*.smk "$out/corpus/"
    cd "$out"
    ./fuzz_parse -max_total_time="${3:-600}" -timeout=25 -rss_limit_mb=2048 \
        -max_len=8192 -dict="$src/tests/fuzz/rules.dict" -artifact_prefix=crashes/ \
        -print_final_stats=1 corpus
fi
