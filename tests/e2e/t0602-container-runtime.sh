#!/bin/sh
# t0602-container-runtime.sh - choosing the container runtime, without any
# real runtime: a job with an image and no runtime on PATH fails with a
# message saying what to do (and only then: a run without images is fine);
# --container-runtime none runs every job on the host; an unknown or absent
# named runtime is a usage error; --container-image gives rules without
# container: an image; --container-args reach the runtime. Runtimes are
# small fake scripts in a private bin directory that PATH is limited to.
set -u
if ! $KRAIT run --help >/dev/null 2>&1; then
    echo "1..0 # SKIP this krait has no run command yet"; exit 0
fi
T=$(mktemp -d) || exit 1
cd "$T" || exit 1
trap 'rm -rf "$T"' EXIT
. "$KR_SRCDIR/tests/e2e/tap.sh"

# a PATH with the usual tools (and valgrind, which the valgrind build runs
# krait under) but no container runtime
mkdir bin
for t in bash sh cat echo env printf mkdir rm mv ls sed grep touch test true false sleep id \
         dirname basename tr head tail wc sort mktemp chmod awk; do
    p=$(command -v "$t" 2>/dev/null) && [ -x "$p" ] && ln -s "$p" "bin/$t"
done
if p=$(command -v valgrind 2>/dev/null); then   # a script that finds its tools by $0
    printf '#!/bin/sh\nexec %s "$@"\n' "$p" > bin/valgrind && chmod +x bin/valgrind
fi
PATH="$T/bin"
export PATH

mkdir work && cd work || exit 1
cat > Snakefile <<'EOF'
rule all:
    input: "boxed.txt", "plain.txt"

rule boxed:
    output: "boxed.txt"
    container: "docker://debian:12"
    shell: "echo boxed > {output}"

rule plain:
    output: "plain.txt"
    shell: "echo plain > {output}"
EOF

$KRAIT run -c 1 plain.txt > r0.out 2>&1
check $? "no runtime, no image needed: the run works"

$KRAIT run -c 1 > r1.out 2>&1
rc=$?
[ $rc -ne 0 ]; check $? "no runtime and a job with an image: the run fails"
grep -q "no container runtime was found on PATH (looked for podman, docker, apptainer, singularity)" r1.out
check $? "the message names the runtimes looked for"
grep -q -- "--container-runtime none" r1.out; check $? "... and how to run on the host"
[ ! -e boxed.txt ]; check $? "the boxed job did not run on the host behind the user's back"

$KRAIT run -c 1 --container-runtime none > r2.out 2>&1
check $? "--container-runtime none: the run works"
same "$(cat boxed.txt 2>/dev/null)" "boxed" "--container-runtime none runs the job on the host"

$KRAIT run -c 1 -F --container-runtime dokcer > r3.out 2>&1
[ $? -ne 0 ]; check $? "unknown runtime: error"
grep -q "unknown container runtime 'dokcer'" r3.out; check $? "unknown runtime message"

$KRAIT run -c 1 -F --container-runtime podman > r4.out 2>&1
[ $? -ne 0 ]; check $? "named runtime not installed: error"
grep -q "no 'podman' program on PATH" r4.out; check $? "named runtime message"

# a fake podman that records its arguments and runs the command on the host
cat > "$T/bin/podman" <<EOF
#!/bin/sh
PATH=$T/bin
printf '%s\n' "\$*" >> "$T/podman.log"
case "\$1" in
image) echo 0123456789abcdef0123456789abcdef; exit 0 ;;
run) while [ \$# -gt 0 ] && [ "\$1" != bash ]; do shift; done; exec "\$@" ;;
esac
exit 3
EOF
chmod +x "$T/bin/podman"
rm -f boxed.txt plain.txt
$KRAIT run -c 1 --container-image localhost/base:2 --container-args '--network=none --label "a b"' > r5.out 2>&1
rc=$?
check $rc "auto-detected (fake) podman: the run works"
[ $rc -eq 0 ] || sed 's/^/#   /' r5.out | tail -n 20
same "$(grep -c '^run ' "$T/podman.log")" "2" "both jobs ran through podman run"
grep -q ' localhost/base:2 bash -euo pipefail -c echo plain > plain.txt$' "$T/podman.log"
check $? "--container-image gives the rule without container: an image"
grep -q ' debian:12 bash -euo pipefail -c echo boxed > boxed.txt$' "$T/podman.log"
check $? "the rule's own container wins over --container-image, docker:// stripped"
same "$(grep -c '^run .* --network=none --label a b debian:12 ' "$T/podman.log")" "1" \
     "--container-args are split like a shell and placed before the image"
same "$(grep -c '^image inspect' "$T/podman.log")" "2" "each image inspected once"

echo "1..$n"
