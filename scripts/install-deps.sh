#!/usr/bin/env bash
# install-deps.sh - install, with apt-get, everything needed to build and test krait
# on a fresh Debian 12 (bookworm) machine, run as root. It is what CI runs first.
#
# Without options it installs the build and unit-test toolchain (autotools, bison,
# flex, the C libraries krait links against, python3, valgrind, sqlite3, clang and
# its sanitizer runtime). Options add the peers of the backend and benchmark tests:
#   --slurm       slurm-wlm + munge (single-node SLURM; see tests/slurm/slurm-up.sh)
#   --containers  podman + runc + debootstrap (see tests/containers/setup-podman.sh)
#   --bench       snakemake, ninja, make, hyperfine, GNU time (see bench/README.md)
#   --tests       interpreters the script: tests run (R's Rscript), chromium (the report's
#                 headless browser check, tests/e2e/t0452-report.sh), Debian's snakemake
#                 7.21 and python3-pandas (the tests that compare krait's plans, results
#                 and pandas values with theirs: t0208, t0221, t0222), gdb (t0492 holds
#                 krait at a chosen point while a job fills the disk)
#   --s3          node + npm (s3rver, see tests/s3/setup-s3rver.sh), python3-botocore, strace
#   --k8s         golang-go, etcd-server, Debian's reflect2 1.0.2, openssl, dpkg-dev, rsync (for
#                 tests/k8s/k8s-build.sh, which builds kube-apiserver from Debian's source)
#   --batch       python3-botocore for Debian's /usr/bin/python3 (the fake AWS Batch,
#                 tests/batch/fake_batch.py: botocore's Batch model and SigV4 signer)
#   --all         all of the above
# Idempotent: when every requested package is already installed (checked with
# dpkg-query) apt is not touched at all, so re-runs take well under a second.
set -euo pipefail

die() { echo "install-deps: error: $*" >&2; exit 1; }
log() { echo "install-deps: $*"; }

usage() {
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
    echo "usage: $0 [--slurm] [--containers] [--bench] [--tests] [--s3] [--k8s] [--batch] [--all]"
}

BASE=(build-essential autoconf automake libtool pkg-config bison flex
      libyaml-dev libpcre2-dev libsqlite3-dev libcurl4-openssl-dev libarchive-dev
      libjansson-dev libssl-dev python3 valgrind sqlite3 clang libclang-rt-14-dev)
# slurm-wlm pulls in slurmctld, slurmd and slurm-client (squeue, sacct ...).
SLURM=(slurm-wlm munge)
# runc instead of crun and cgroupfs: see tests/containers/setup-podman.sh.
# uidmap + fuse-overlayfs are needed for rootless podman only; cheap, so included.
CONTAINERS=(podman runc debootstrap debian-archive-keyring uidmap fuse-overlayfs)
BENCH=(snakemake ninja-build make hyperfine time)
TESTS=(r-base-core chromium snakemake python3-pandas gdb)
# npm only when there is none: a NodeSource nodejs bundles its own and conflicts with Debian's
S3=(nodejs python3-botocore strace curl)
command -v npm >/dev/null 2>&1 || S3+=(npm)
# The Kubernetes test cluster: kube-apiserver and kube-controller-manager are built from
# Debian's `kubernetes` source package by tests/k8s/k8s-build.sh (needs a deb-src line,
# which that script adds); these are its build and run dependencies.
K8S=(golang-go etcd-server golang-github-modern-go-reflect2-dev openssl dpkg-dev rsync curl)
BATCH=(python3 python3-botocore)

want=("${BASE[@]}")
while [ $# -gt 0 ]; do
    case "$1" in
        --slurm) want+=("${SLURM[@]}") ;;
        --containers) want+=("${CONTAINERS[@]}") ;;
        --bench) want+=("${BENCH[@]}") ;;
        --tests) want+=("${TESTS[@]}") ;;
        --s3) want+=("${S3[@]}") ;;
        --k8s) want+=("${K8S[@]}") ;;
        --batch) want+=("${BATCH[@]}") ;;
        --all) want+=("${SLURM[@]}" "${CONTAINERS[@]}" "${BENCH[@]}" "${TESTS[@]}" "${S3[@]}" "${K8S[@]}"
                      "${BATCH[@]}") ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option '$1'" ;;
    esac
    shift
done

[ "$(id -u)" -eq 0 ] || die "must run as root (apt-get install)"
command -v dpkg-query >/dev/null && command -v apt-get >/dev/null \
    || die "this script needs a Debian system (dpkg-query, apt-get)"

# Deduplicate, then keep only packages that are not fully installed.
mapfile -t want < <(printf '%s\n' "${want[@]}" | sort -u)
missing=()
for p in "${want[@]}"; do
    st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$st" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
    log "all ${#want[@]} requested packages are already installed; nothing to do"
    exit 0
fi

log "missing ${#missing[@]} of ${#want[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Wait (up to 10 min) instead of failing when another apt/dpkg holds the lock.
APT=(apt-get -q -o DPkg::Lock::Timeout=600)
log "apt-get update"
"${APT[@]}" update || die "apt-get update failed (is the Debian archive reachable?)"
log "apt-get install"
# Daemons cannot be started by postinst scripts without systemd; that is expected
# and harmless (tests start them by hand).
"${APT[@]}" install -y "${missing[@]}" \
    || die "apt-get install failed for: ${missing[*]}"

# Check the result rather than trusting the exit code alone.
still=()
for p in "${missing[@]}"; do
    st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$st" = installed ] || still+=("$p")
done
[ ${#still[@]} -eq 0 ] || die "still not installed after apt-get: ${still[*]}"
log "done: installed ${missing[*]}"
