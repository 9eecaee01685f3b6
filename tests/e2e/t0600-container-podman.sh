#!/bin/sh
# t0600-container-podman.sh - jobs with `container:` run in a real Podman
# container (the local image tests/containers/setup-podman.sh builds):
# in-container evidence, outputs owned by the host user, an input outside
# the working directory readable and read-only, an output outside it
# written through its bound parent directory, a clean environment with
# --container-env passthrough, exit codes, a rule without container on the
# host, provenance holding the image identity, and a re-tagged image (same
# name, new id) triggering the "container changed" rerun.
set -u
if ! $KRAIT run --help >/dev/null 2>&1; then
    echo "1..0 # SKIP this krait has no run command yet"; exit 0
fi
BASE=localhost/krait-test:latest
if ! command -v podman >/dev/null 2>&1; then
    echo "1..0 # SKIP podman not installed (scripts/install-deps.sh --containers)"; exit 0
fi
if ! podman image exists "$BASE" 2>/dev/null; then
    echo "1..0 # SKIP image $BASE missing (run tests/containers/setup-podman.sh)"; exit 0
fi
T=$(mktemp -d) || exit 1
cd "$T" || exit 1
IMG=localhost/krait-e2e-$$:1
podman tag "$BASE" "$IMG" || { echo "1..0 # SKIP podman tag failed"; exit 0; }
trap 'podman rmi -f "$IMG" >/dev/null 2>&1; podman rm -f krait-e2e-$$ >/dev/null 2>&1; rm -rf "$T"' EXIT
. "$KR_SRCDIR/tests/e2e/tap.sh"
image_id() { echo "sha256:$(podman image inspect --format '{{.Id}}' "$1" | sed 's/^sha256://')"; }

mkdir -p work outside far
echo "outside data" > outside/in.txt
OUT=$T/outside
FAR=$T/far/sub
cd work || exit 1
cat > Snakefile <<EOF
rule all:
    input: "probe/inside.txt", "host.txt", "$FAR/far.txt"

rule probe:
    container: "docker://$IMG"
    input: "$OUT/in.txt"
    output:
        inside="probe/inside.txt", read="probe/read.txt", ro="probe/ro.txt",
        env="probe/env.txt", far="$FAR/far.txt"
    shell:
        "if [ -e /run/.containerenv ]; then echo container; else echo host; fi > {output.inside}; "
        "cat {input} > {output.read}; "
        "if (echo x >> {input}) 2>/dev/null; then echo writable; else echo read-only; fi > {output.ro}; "
        "echo pass=\${{KR_E2E_PASS-unset}} nopass=\${{KR_E2E_NOPASS-unset}} home=\$HOME > {output.env}; "
        "echo far > {output.far}"

rule host:
    output: "host.txt"
    shell: "if [ -e /run/.containerenv ]; then echo container; else echo host; fi > {output}"

rule fail:
    container: "$IMG"
    output: "fail.txt"
    shell: "echo partial > {output}; exit 7"
EOF
KR_E2E_PASS=yes KR_E2E_NOPASS=leak $KRAIT run -c 1 -p --container-runtime podman \
    --container-env KR_E2E_PASS > run1.out 2>&1
rc=$?
check $rc "krait run with --container-runtime podman exits 0"
[ $rc -eq 0 ] || sed 's/^/#   /' run1.out | tail -n 20
same "$(cat probe/inside.txt 2>/dev/null)" "container" "the job ran inside the container"
same "$(stat -c %u:%g probe/inside.txt 2>/dev/null)" "$(id -u):$(id -g)" "outputs owned by the host user"
grep -q -- "--user=$(id -u):$(id -g) " run1.out
check $? "the invocation runs as the host uid:gid (-p shows it)"
same "$(cat probe/read.txt 2>/dev/null)" "outside data" "an input outside the working directory is readable"
same "$(cat probe/ro.txt 2>/dev/null)" "read-only" "writing to that input fails inside the container"
same "$(cat ../outside/in.txt)" "outside data" "... and the input is unchanged"
same "$(cat "$FAR/far.txt" 2>/dev/null)" "far" "an output outside the working directory is written"
same "$(cat probe/env.txt 2>/dev/null)" "pass=yes nopass=unset home=/tmp" \
     "clean environment: only --container-env variables pass"
same "$(cat host.txt 2>/dev/null)" "host" "a rule without container: runs on the host"

# provenance holds the image identity
id1=$(image_id "$IMG")
same "$(sqlite3 .krait/state.db "SELECT container FROM outputs WHERE path = 'probe/inside.txt'")" \
     "$id1" "provenance records the image id"

# exit codes propagate out of the container
$KRAIT run -c 1 --container-runtime podman fail.txt > fail.out 2>&1
rc=$?
[ $rc -ne 0 ]; check $? "a failing command in a container fails the run (exit $rc)"
grep -q "7" fail.out; check $? "the job's exit code 7 is reported"
[ ! -e fail.txt ]; check $? "the failed job's output is removed"

# nothing to do when nothing changed
$KRAIT run -c 1 --container-runtime podman > run2.out 2>&1
grep -q "Nothing to be done" run2.out
check $? "second run with the same image: nothing to be done (container trigger compares ids)"
grep -q "Nothing to be done" run2.out || sed 's/^/#   /' run2.out | tail -n 5

# the same name now points to another image: the container trigger fires
podman run --name krait-e2e-$$ "$IMG" touch /retagged >/dev/null 2>&1 &&
    podman commit -q krait-e2e-$$ "$IMG" >/dev/null 2>&1
podman rm -f krait-e2e-$$ >/dev/null 2>&1
id2=$(image_id "$IMG")
[ "$id1" != "$id2" ]; check $? "re-tagged $IMG to a new image id"
$KRAIT plan --container-runtime podman > plan3.out 2>&1
grep -q "reason: container changed: probe/inside.txt" plan3.out
check $? "krait plan gives the reason 'container changed'"
$KRAIT run -c 1 --container-runtime podman > run3.out 2>&1
rc=$?
check $rc "run after the re-tag exits 0"
same "$(cat probe/inside.txt 2>/dev/null)" "container" "the probe job ran again"
same "$(sqlite3 .krait/state.db "SELECT container FROM outputs WHERE path = 'probe/inside.txt'")" \
     "$id2" "provenance records the new image id"
[ $rc -eq 0 ] || sed 's/^/#   /' run3.out | tail -n 20

echo "1..$n"
