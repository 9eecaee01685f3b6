#!/bin/sh
# t0601-container-apptainer.sh - the Apptainer command lines krait runs,
# checked with tests/containers/fake-apptainer on PATH as `apptainer` (it
# validates the arguments, logs argv as JSON lines to $FAKE_APPTAINER_LOG
# and runs the command on the host): exec --cleanenv --no-home --pwd DIR,
# the working directory bound, an input outside it bound read-only, --nv
# only for the GPU job (whose CUDA_VISIBLE_DEVICES reaches the job through
# --cleanenv), --container-env passthrough, and the docker:// image pulled
# once into .krait/apptainer/ and reused by the next run (--use-apptainer).
set -u
if ! $KRAIT run --help >/dev/null 2>&1; then
    echo "1..0 # SKIP this krait has no run command yet"; exit 0
fi
FAKE="$KR_SRCDIR/tests/containers/fake-apptainer"
if ! command -v python3 >/dev/null 2>&1; then
    echo "1..0 # SKIP python3 missing (the fake apptainer is a python script)"; exit 0
fi
T=$(mktemp -d) || exit 1
cd "$T" || exit 1
trap 'rm -rf "$T"' EXIT
. "$KR_SRCDIR/tests/e2e/tap.sh"

mkdir -p bin outside work
ln -s "$FAKE" bin/apptainer
echo "outside" > outside/ref.txt
export FAKE_APPTAINER_LOG="$T/apptainer.log"
PATH="$T/bin:$PATH"
export PATH
cd work || exit 1
W=$(pwd)
cat > Snakefile <<EOF
container: "docker://example.org/tools/base:1"

rule all:
    input: "a.txt", "b.txt", "gpu.txt"

rule plain:
    input: "$T/outside/ref.txt"
    output: "{x}.txt"
    wildcard_constraints: x="a|b"
    shell: "cat {input} > {output}; pwd >> {output}; echo \${{KR_E2E_HOST-unset}} \${{KR_E2E_PASS-unset}} >> {output}"

rule gpu:
    output: "gpu.txt"
    resources: gpu=1
    shell: "echo cuda=\${{CUDA_VISIBLE_DEVICES-unset}} > {output}"
EOF

KR_E2E_HOST=leak KR_E2E_PASS=yes $KRAIT run -c 1 --resources gpu=1 --use-apptainer \
    --container-env KR_E2E_PASS > run1.out 2>&1
rc=$?
check $rc "krait run --use-apptainer exits 0"
[ $rc -eq 0 ] || sed 's/^/#   /' run1.out | tail -n 20
same "$(cat a.txt 2>/dev/null | tr '\n' ' ')" "outside $W unset yes " \
     "job output: bound input read, --pwd, host variable dropped, --container-env passed"
same "$(cat gpu.txt 2>/dev/null)" "cuda=0" "the GPU job sees its CUDA_VISIBLE_DEVICES"

# analyse the logged command lines
cat > check.py <<'EOF'
import json, sys
wd, sif_dir, outside = sys.argv[1], sys.argv[2], sys.argv[3]
calls = [json.loads(l)["argv"][1:] for l in open(sys.argv[4])]
pulls = [c for c in calls if c[0] == "pull"]
execs = [c for c in calls if c[0] == "exec"]
def has(c, *seq):
    return any(c[i:i + len(seq)] == list(seq) for i in range(len(c)))
def image(c):
    return c[c.index("bash") - 1]
print("pulls", len(pulls))
print("pull_target", all(p[1].startswith(sif_dir) and p[2] == "docker://example.org/tools/base:1"
                         for p in pulls))
print("execs", len(execs))
print("cleanenv", all(has(c, "--cleanenv") and has(c, "--no-home") for c in execs))
print("pwd", all(has(c, "--pwd", wd) for c in execs))
print("bind_wd", all(has(c, "--bind", wd + ":" + wd) for c in execs))
ro = outside + ":" + outside + ":ro"
print("bind_ro", sum(has(c, "--bind", ro) for c in execs))
print("nv", sum(has(c, "--nv") for c in execs))
print("nv_gpu_job", all(has(c, "--nv") == ("gpu.txt" in c[-1]) for c in execs))
print("env_pass", not any("KR_E2E_PASS=yes" in a for c in execs for a in c))
print("sif", len({image(c) for c in execs}) == 1 and
      all(image(c).startswith(sif_dir) and image(c).endswith(".sif") for c in execs))
print("command", all(c[-5:-1] == ["bash", "-euo", "pipefail", "-c"] for c in execs))
EOF
python3 check.py "$W" "$W/.krait/apptainer/" "$T/outside/ref.txt" "$FAKE_APPTAINER_LOG" > check.out 2>&1
v() { awk -v k="$1" '$1 == k { print $2 }' check.out; }
same "$(v execs)" "3" "three jobs ran through apptainer exec"
same "$(v cleanenv)" "True" "every exec has --cleanenv --no-home"
same "$(v pwd)" "True" "every exec has --pwd WORKDIR"
same "$(v bind_wd)" "True" "every exec binds WORKDIR:WORKDIR"
same "$(v bind_ro)" "2" "the outside input is bound read-only for the two jobs reading it"
same "$(v nv)" "1" "--nv once"
same "$(v nv_gpu_job)" "True" "--nv only for the GPU job"
same "$(v env_pass)" "True" "the passed-through value is on no command line (it goes in as APPTAINERENV_KR_E2E_PASS)"
same "$(v command)" "True" "the command runs under bash -euo pipefail -c"
same "$(v sif)" "True" "all jobs run the cached .sif under .krait/apptainer/"
same "$(v pulls)" "1" "the docker:// image is pulled once for three jobs"
same "$(v pull_target)" "True" "pulled into .krait/apptainer/ from the docker:// URI"
[ "$(v execs)" = 3 ] || sed 's/^/#   /' check.out

# a second run reuses the pulled image
$KRAIT run -c 1 -F --resources gpu=1 --use-apptainer > run2.out 2>&1
rc=$?
check $rc "second run (-F) exits 0"
python3 check.py "$W" "$W/.krait/apptainer/" "$T/outside/ref.txt" "$FAKE_APPTAINER_LOG" > check.out 2>&1
same "$(v execs) $(v pulls)" "6 1" "second run: three more execs, no second pull"

# a failing command's exit status comes back through apptainer
cat >> Snakefile <<'EOF'

rule fail:
    output: "fail.txt"
    shell: "exit 9"
EOF
$KRAIT run -c 1 --use-apptainer fail.txt > fail.out 2>&1
[ $? -ne 0 ]; check $? "a failing job fails the run"
grep -q 9 fail.out; check $? "exit code 9 is reported"

echo "1..$n"
