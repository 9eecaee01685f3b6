#!/usr/bin/env bash
# k8s-build.sh - build kube-apiserver and kube-controller-manager from Debian's
# `kubernetes` source package, offline, for the Kubernetes executor's test cluster.
#
# Debian 12 ships no API server binary, but its `kubernetes` source package (1.20.x)
# carries the full source and vendor/. This script adds a deb-src line for bookworm
# (beside the existing Debian source), fetches the source with apt-get source, swaps
# the bundled vendor/github.com/modern-go/reflect2 (1.0.1: kube-apiserver dies after a
# while with "fatal error: fault ... mapiterinit" under Go 1.19) for Debian's 1.0.2,
# and runs `make WHAT="cmd/kube-apiserver cmd/kube-controller-manager"`.
#
# The binaries are cached under /var/cache/krait-k8s/<source-version>/ (override with
# KRAIT_K8S_CACHE); when both are there nothing is built, so CI pays for a cold build
# (11-14 minutes on 2 cores) once per machine. Needs root (apt-get). Idempotent.
# Prints the directory holding the binaries on its last line of stdout.
# Options: -v  show the build's output (default: only on failure, from the log).
set -euo pipefail

CACHE=${KRAIT_K8S_CACHE:-/var/cache/krait-k8s}
WORK=${KRAIT_K8S_BUILDDIR:-/var/tmp/krait-k8s-build}
VERBOSE=0
[ "${1:-}" = -v ] && VERBOSE=1

die() { echo "k8s-build: error: $*" >&2; exit 1; }
log() { echo "k8s-build: $*" >&2; }

have_bins() { [ -x "$1/kube-apiserver" ] && [ -x "$1/kube-controller-manager" ]; }

# A cached build of any version is good enough when this machine cannot ask apt
# (no root): the binaries are keyed by version only to rebuild on a new one.
if [ "$(id -u)" -ne 0 ]; then
    for d in "$CACHE"/*/; do
        if have_bins "$d"; then echo "${d%/}"; exit 0; fi
    done
    die "must run as root to build (apt-get); no cached binaries under $CACHE"
fi

export DEBIAN_FRONTEND=noninteractive
APT=(apt-get -q -o DPkg::Lock::Timeout=600)

# 1. A deb-src entry beside the existing bookworm source.
SRCLIST=/etc/apt/sources.list.d/krait-k8s-src.sources
if ! apt-cache showsrc kubernetes 2>/dev/null | grep -q '^Version:'; then
    if [ ! -f "$SRCLIST" ]; then
        uri=$(awk '/^URIs:/ && /debian\/?$/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
        [ -n "$uri" ] || uri=http://deb.debian.org/debian
        kr=/usr/share/keyrings/debian-archive-keyring.gpg
        { echo "Types: deb-src"; echo "URIs: $uri"; echo "Suites: bookworm"; echo "Components: main"
          [ -f "$kr" ] && echo "Signed-By: $kr"; } > "$SRCLIST"
        log "added $SRCLIST ($uri)"
    fi
    "${APT[@]}" update >/dev/null 2>&1 || die "apt-get update failed"
fi
VER=$(apt-cache showsrc kubernetes 2>/dev/null | awk '/^Version:/ {print $2; exit}')
[ -n "$VER" ] || die "apt-cache showsrc kubernetes: no source package (is the deb-src line right?)"
OUT="$CACHE/$VER"
if have_bins "$OUT"; then
    log "cached: kubernetes $VER"
    echo "$OUT"; exit 0
fi

# 2. Build dependencies (same list as scripts/install-deps.sh --k8s).
need=()
for p in golang-go etcd-server golang-github-modern-go-reflect2-dev openssl dpkg-dev rsync; do
    st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$st" = installed ] || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]}"
    "${APT[@]}" install -y "${need[@]}" >/dev/null 2>&1 || die "apt-get install ${need[*]} failed"
fi

# 3. Source, with the reflect2 swap.
start=$(date +%s)
mkdir -p "$WORK"
cd "$WORK"
src=$(find . -maxdepth 1 -type d -name 'kubernetes-*' | head -1)
if [ -z "$src" ] || [ ! -f "$src/.krait-ver" ] || [ "$(cat "$src/.krait-ver")" != "$VER" ]; then
    rm -rf ./kubernetes-* ./kubernetes_*
    log "apt-get source kubernetes ($VER)"
    "${APT[@]}" source kubernetes >/dev/null 2>"$WORK/source.err" \
        || { cat "$WORK/source.err" >&2; die "apt-get source kubernetes failed"; }
    src=$(find . -maxdepth 1 -type d -name 'kubernetes-*' | head -1)
    [ -n "$src" ] || die "no kubernetes-* directory after apt-get source"
    echo "$VER" > "$src/.krait-ver"
fi
cd "$src"
R2=/usr/share/gocode/src/github.com/modern-go/reflect2
[ -d "$R2" ] || die "$R2 missing (golang-github-modern-go-reflect2-dev)"
rm -rf vendor/github.com/modern-go/reflect2
cp -r "$R2" vendor/github.com/modern-go/reflect2

# 4. Build (offline: everything is in vendor/).
log "building kube-apiserver + kube-controller-manager (cold: 11-14 min on 2 cores)"
export GOCACHE="$WORK/gocache" GOPROXY=off
rm -rf _output     # a failed earlier build leaves empty tool binaries behind
LOG="$WORK/build.log"
if [ $VERBOSE = 1 ]; then
    make WHAT="cmd/kube-apiserver cmd/kube-controller-manager" 2>&1 | tee "$LOG"
    rc=${PIPESTATUS[0]}
else
    rc=0; make WHAT="cmd/kube-apiserver cmd/kube-controller-manager" >"$LOG" 2>&1 || rc=$?
fi
if [ "$rc" -ne 0 ]; then
    tail -30 "$LOG" >&2
    die "make failed (rc $rc), full log: $LOG"
fi
mkdir -p "$OUT.tmp"
for b in kube-apiserver kube-controller-manager; do
    f=$(find _output -type f -name "$b" -perm -u+x | head -1)
    [ -n "$f" ] || die "$b not found under $PWD/_output"
    cp "$f" "$OUT.tmp/$b"
done
rm -rf "$OUT"; mv "$OUT.tmp" "$OUT"
end=$(date +%s)
echo "$VER built in $((end - start)) s on $(nproc) cores ($(date -u +%FT%TZ))" > "$OUT/BUILD-INFO"
log "built kubernetes $VER in $((end - start)) s"
echo "$OUT"
