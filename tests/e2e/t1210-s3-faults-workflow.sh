#!/bin/sh
# t1210: a whole workflow under --default-storage s3://bkt/proj through the
# fault-injecting proxy at 10% (500, 503 SlowDown, connection resets,
# truncated bodies, 500 after the upstream did the work): the run completes,
# and at the end every object under the prefix is byte-identical to what the
# same workflow makes on the local file system (read back from s3rver
# directly, past the proxy), there is no object that should not be there
# (no partial, temporary or extra key), no multipart upload is left
# journaled, and a second run - faults still on - has nothing to do.
# The same with --storage-staging presigned: the jobs' own curl transfers go
# through the faults too.
. "$KR_SRCDIR/tests/e2e/s3-lib.sh"
s3_up bkt --fault-rate 0.1 --seed 7 || exit 0
D="$KR_BUILDDIR/tests/unit/s3_drive"
n=0; fail=0
t() { n=$((n+1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi; }
T=$PWD
mkdir ref
cat > ref/Snakefile <<'EOS'
N = 8
rule all:
    input: "out/merged.txt", "out/big.bin"
rule grow:
    input: "in/{i}.dat"
    output: "mid/{i}.bin"
    shell: "for k in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do cat {input}; done > {output}"
rule digest:
    input: "mid/{i}.bin"
    output: "out/{i}.sha"
    shell: "sha256sum < {input} > {output}"
rule merge:
    input: expand("out/{i}.sha", i=range(N))
    output: "out/merged.txt"
    shell: "cat {input} > {output}"
rule big:
    input: expand("mid/{i}.bin", i=range(N))
    output: "out/big.bin"
    shell: "cat {input} {input} > {output}"
EOS
mkdir ref/in
i=0
while [ $i -lt 8 ]; do
    head -c $((20000 + i * 1531)) /dev/urandom > "ref/in/$i.dat"
    "$D" -e "$S3_ENDPOINT" -a 12 put "s3://bkt/proj/in/$i.dat" "ref/in/$i.dat" 2>>seed.err ||
        echo "seeding $i failed" >> seed.err
    "$D" -e "$S3_ENDPOINT" -a 12 put "s3://bkt/pre/in/$i.dat" "ref/in/$i.dat" 2>>seed.err ||
        echo "seeding $i failed" >> seed.err
    i=$((i+1))
done
t "inputs seeded through the faults" '! grep -q failed seed.err'
(cd ref && "$KRAIT" run -c 2 -q >../ref.out 2>&1)
t "the reference run on the local file system" '[ -s ref/out/big.bin ] && [ -s ref/out/merged.txt ]'
# big.bin (~3 MiB) goes up in 512 KiB parts
export KRAIT_S3_MULTIPART_THRESHOLD=1048576 KRAIT_S3_PART_SIZE=524288
cp ref/Snakefile .
mkdir w && cp ref/Snakefile w/ && cd w
: > ../proxy.log
t "the workflow completes under 10% faults (19 jobs)" \
  '"$KRAIT" run -c 2 --s3-endpoint-url "$S3_ENDPOINT" --default-storage s3://bkt/proj >../run1.out 2>&1 &&
   grep -q "19 of 19 jobs done" ../run1.out'
t "faults of several kinds were injected during the run" \
  '[ "$(for k in "500 fault" "503 fault" reset "truncate fault" after500; do grep -q -- "-> $k" ../proxy.log && echo $k; done | wc -l)" -ge 3 ]'
t "multipart uploads happened (big.bin in parts)" 'grep -q "^PUT /bkt/proj/out/big.bin?partNumber=" ../proxy.log'
# every object, read past the proxy, against the local reference
verify() {  # PREFIX
    (cd "$T/ref" && find in mid out -type f | sort) > "$T/want.$1"
    "$D" -e "$S3_DIRECT" ls "s3://bkt/$1/" 2>/dev/null | sed "s|^$1/||; s/ [0-9]* [0-9a-f-]*\$//" | sort > "$T/have.$1"
    cmp -s "$T/want.$1" "$T/have.$1" || { diff "$T/want.$1" "$T/have.$1" | sed 's/^/# /'; return 1; }
    while read -r k; do
        rm -f "$T/obj"
        curl -sf -o "$T/obj" "$S3_DIRECT/bkt/$1/$k" && cmp -s "$T/obj" "$T/ref/$k" ||
            { echo "# $k differs"; return 1; }
    done < "$T/want.$1"
}
t "exactly the expected objects, each byte-identical to the local run's" 'verify proj'
t "no multipart upload left journaled" '[ -z "$(ls -A .krait/storage/s3.uploads 2>/dev/null)" ]'
t "a second run under faults has nothing to do" \
  '"$KRAIT" run -c 2 --s3-endpoint-url "$S3_ENDPOINT" --default-storage s3://bkt/proj >../run2.out 2>&1 &&
   grep -qi "nothing to be done\|nothing to do" ../run2.out || { sed "s/^/# /" ../run2.out; false; }'
cd "$T" && mkdir p && cp ref/Snakefile p/ && cd p
: > ../proxy.log
t "presigned staging: the workflow completes under 10% faults" \
  '"$KRAIT" run -c 2 --s3-endpoint-url "$S3_ENDPOINT" --storage-staging presigned --default-storage s3://bkt/pre >../run3.out 2>&1 &&
   grep -q "19 of 19 jobs done" ../run3.out'
t "... the jobs' transfers met faults too" 'grep -q "^\(GET\|PUT\) /bkt/pre/.*X-Amz-Signature.* -> \(500\|503\|reset\|truncate\|after500\)" ../proxy.log'
t "... exactly the expected objects, byte-identical" 'verify pre'
echo "1..$n"
exit $fail
