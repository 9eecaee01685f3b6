#!/usr/bin/env bash
# run-all.sh - the README's second command: krait's full test suite on a fresh
# Debian 12 machine, as root. It installs every package the tests need, starts
# the real peers of the backend tests (a single-node SLURM on localhost, Podman
# with a locally built image, a Kubernetes control plane built from Debian's
# source -- 11-14 minutes the first time on a machine, cached after), then builds and runs `make check` three ways:
#   build/       plain build                         (every test)
#   build-san/   --enable-sanitizers (ASan + UBSan)  (every test)
#   build-vg/    --enable-valgrind                   (unit tests and the rule-language corpus)
# It ends with one line "N passed, N failed, N skipped" over all three and
# exits non-zero when anything failed.
#   tests/run-all.sh [--quick]   (--quick: plain build only)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
quick=0
[ "${1:-}" = --quick ] && quick=1
cd "$top"

step() { printf '\n== %s\n' "$*"; }
fail=0

step "installing packages (build, SLURM, containers, script interpreters, S3, Kubernetes, AWS Batch)"
scripts/install-deps.sh --slurm --containers --tests --s3 --k8s --batch || { echo "run-all: package installation failed" >&2; exit 1; }

step "starting SLURM on localhost"
if ! tests/slurm/slurm-up.sh; then
    echo "run-all: WARNING: SLURM did not start; the SLURM tests will skip and say why" >&2
fi
step "setting up Podman and the local test image"
if ! tests/containers/setup-podman.sh; then
    echo "run-all: WARNING: Podman setup failed; the container tests will skip and say why" >&2
fi

step "Kubernetes test cluster: kube-apiserver + controller-manager (built once per machine, cached), etcd, stand-in kubelet"
if ! tests/k8s/k8s-build.sh >/dev/null || ! tests/k8s/k8s-up.sh; then
    echo "run-all: WARNING: the Kubernetes test cluster did not start; the Kubernetes tests will skip and say why" >&2
fi

step "installing s3rver (npm) for the S3 tests"
if ! tests/s3/setup-s3rver.sh >/dev/null; then
    echo "run-all: WARNING: s3rver could not be installed; the S3 tests will skip and say why" >&2
fi

step "autogen"
./autogen.sh >/dev/null 2>&1 || { echo "run-all: autogen failed" >&2; ./autogen.sh; exit 1; }

# build DIR CONFIGURE-ARGS... ; then make check with optional TESTS override in $tests
build_and_check() {
    local dir=$1; shift
    step "build $dir ($*)"
    mkdir -p "$top/$dir"
    (cd "$top/$dir" && ../configure -q "$@" && make -j"$(nproc)" >/dev/null) || {
        echo "run-all: build in $dir failed" >&2; fail=1; return; }
    step "make check in $dir"
    if [ -n "${tests:-}" ]; then
        (cd "$top/$dir" && make -j"$(nproc)" check TESTS="$tests") || fail=1
    else
        (cd "$top/$dir" && make -j"$(nproc)" check) || fail=1
    fi
    if [ -f "$top/$dir/test-suite.log" ] && grep -q '^FAIL\|^ERROR' "$top/$dir/test-suite.log"; then
        sed -n '1,400p' "$top/$dir/test-suite.log"
    fi
}

# Sanitizer and valgrind builds must not reuse objects of another configuration.
rm -rf "$top/build" "$top/build-san" "$top/build-vg"
tests= build_and_check build
if [ $quick = 0 ]; then
    tests= ASAN_OPTIONS=detect_leaks=1 build_and_check build-san --enable-sanitizers CC=gcc
    # valgrind over the C unit tests and the rule-language corpus (the e2e
    # suite spawns thousands of processes; under valgrind that takes too long).
    tests=$(cd "$top" && ls tests/unit/test_*.c 2>/dev/null | sed 's/\.c$//' | tr '\n' ' ')
    tests="$tests $(cd "$top" && ls tests/e2e/t01*.sh tests/e2e/t02*.sh 2>/dev/null | tr '\n' ' ')"
    build_and_check build-vg --enable-valgrind
fi

# One closing line over every test case of every build.
results=$(cat "$top"/build*/tests/unit/*.trs "$top"/build*/tests/e2e/*.trs "$top"/build*/tests/*/*.trs 2>/dev/null \
          | grep '^:test-result:' | awk '{print $2}')
pass=$(grep -c '^PASS$' <<<"$results" || true)
failed=$(grep -cE '^(FAIL|ERROR|XPASS)$' <<<"$results" || true)
skip=$(grep -c '^SKIP$' <<<"$results" || true)
if [ "$failed" -gt 0 ] || [ $fail -ne 0 ]; then
    [ "$failed" -eq 0 ] && failed=1
fi
echo
echo "${pass} passed, ${failed} failed, ${skip} skipped"
[ "$failed" -eq 0 ]
