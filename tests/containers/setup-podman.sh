#!/usr/bin/env bash
# setup-podman.sh - make rootful podman work on the test machines and build the local
# test image localhost/krait-test:latest without any container registry.
#
# Needs root and the packages from `scripts/install-deps.sh --containers`.
# 1. Writes /etc/containers/containers.conf: runtime runc with cgroupfs (crun fails on
#    this hybrid cgroup setup), the file events logger (no journald), no network
#    namespace setup (netns "none": faster, nothing needs a network) and explicit
#    ulimits (root lacks CAP_SYS_RESOURCE here, podman's defaults make the runtime fail).
# 2. Builds a Debian bookworm rootfs with `debootstrap --variant=minbase` from the
#    mirror apt already uses, keeps it as /var/cache/krait-test/rootfs-bookworm.tar,
#    and imports it with `podman import` (about 30 s the first time; a later
#    import from the kept tarball takes seconds).
# 3. Verifies: a container runs, exit codes propagate, and a bind-mounted working
#    directory gets files owned by the --user given.
# Idempotent: when the image exists it only verifies. --rebuild forces a new image
# (the cached tarball is reused; delete /var/cache/krait-test to start from nothing).
# Environment: KRAIT_DEBIAN_MIRROR overrides the mirror found in /etc/apt/sources.list*.
set -euo pipefail

IMAGE=localhost/krait-test:latest
CACHE=/var/cache/krait-test
TARBALL=$CACHE/rootfs-bookworm.tar
# No python3 in the image: --include=python3-minimal was measured at +8.6 s of
# debootstrap (single runs: 33.5 s against 24.9 s) and +19 MB; test jobs use sh and coreutils.
T0=${EPOCHREALTIME/./}

log() {
    local us=$(( ${EPOCHREALTIME/./} - T0 ))
    printf 'setup-podman [%d.%02ds]: %s\n' $((us / 1000000)) $((us % 1000000 / 10000)) "$*"
}
die() { echo "setup-podman: error: $*" >&2; exit 1; }

REBUILD=0
case "${1:-}" in
    "") ;;
    --rebuild) REBUILD=1 ;;
    -h|--help) echo "usage: $0 [--rebuild]"; exit 0 ;;
    *) die "unknown option '$1' (usage: $0 [--rebuild])" ;;
esac

[ "$(id -u)" -eq 0 ] || die "must run as root"
for c in podman runc debootstrap tar; do
    command -v "$c" >/dev/null || die "'$c' not found; run scripts/install-deps.sh --containers"
done

# ------------------------------------------------------------ containers.conf
CONF=/etc/containers/containers.conf
want_conf='# Written by krait tests/containers/setup-podman.sh.
# runc + cgroupfs: crun refuses the hybrid cgroup layout of the test machines.
# default_ulimits: podman would otherwise ask for more than root may set here.
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
netns = "none"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"'
if [ -f "$CONF" ] && [ "$(cat "$CONF")" = "$want_conf" ]; then
    log "$CONF is up to date"
else
    [ -f "$CONF" ] && cp "$CONF" "$CONF.bak-krait" && log "saved the old $CONF as $CONF.bak-krait"
    install -d /etc/containers
    printf '%s\n' "$want_conf" > "$CONF"
    log "wrote $CONF"
fi

# --------------------------------------------------------------- the mirror
# First URI of a bookworm (not -security/-updates) source, one-line or deb822 format.
find_mirror() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        sed -E 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }'
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk 'BEGIN { RS = ""; FS = "\n" }
             { uri = ""; deb = 0; suite = 0
               for (k = 1; k <= NF; k++) {
                 if ($k ~ /^Types:/ && $k ~ /[ \t]deb([ \t]|$)/) deb = 1
                 if ($k ~ /^URIs:/) { split($k, u, /[ \t]+/); uri = u[2] }
                 if ($k ~ /^Suites:/ && $k ~ /[ \t]bookworm([ \t]|$)/) suite = 1
               }
               if (deb && suite && uri != "") { print uri; exit } }' "$f"
    done
}

build_tarball() {
    local mirror rootfs
    mirror=${KRAIT_DEBIAN_MIRROR:-$(find_mirror | head -n 1)}
    [ -n "$mirror" ] || die "no bookworm mirror found in /etc/apt/sources.list*; set KRAIT_DEBIAN_MIRROR"
    rootfs=$CACHE/rootfs.tmp
    rm -rf "$rootfs" "$TARBALL.tmp"
    install -d "$CACHE"
    log "debootstrap --variant=minbase bookworm from $mirror (25-45 s)"
    if ! debootstrap --variant=minbase bookworm "$rootfs" "$mirror" \
            > "$CACHE/debootstrap.log" 2>&1; then
        tail -n 20 "$CACHE/debootstrap.log" >&2
        [ -f "$rootfs/debootstrap/debootstrap.log" ] && tail -n 20 "$rootfs/debootstrap/debootstrap.log" >&2
        die "debootstrap failed (full log: $CACHE/debootstrap.log)"
    fi
    # Not needed in a test image; saves ~20 MB.
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/debootstrap
    log "packing the rootfs into $TARBALL"
    tar --numeric-owner -C "$rootfs" -cf "$TARBALL.tmp" .
    mv "$TARBALL.tmp" "$TARBALL"
    rm -rf "$rootfs"
}

# ------------------------------------------------------------------ the image
if podman image exists "$IMAGE" && [ "$REBUILD" -eq 0 ]; then
    log "image $IMAGE exists; verifying only"
else
    if [ -s "$TARBALL" ]; then
        log "using the cached rootfs $TARBALL"
    else
        build_tarball
    fi
    log "podman import $TARBALL -> $IMAGE"
    podman import -q --change 'CMD ["/bin/bash"]' "$TARBALL" "$IMAGE" >/dev/null \
        || die "podman import failed"
fi

# ------------------------------------------------------------------ verify
out=$(podman run --rm "$IMAGE" sh -c 'echo hi') || die "podman run of $IMAGE failed"
[ "$out" = hi ] || die "podman run printed '$out', expected 'hi'"
log "podman run works"

rc=0
podman run --rm "$IMAGE" sh -c 'exit 7' || rc=$?
[ "$rc" -eq 7 ] || die "exit code did not propagate (got $rc, expected 7)"
log "exit codes propagate"

work=$(mktemp -d /tmp/krait-podman.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 0777 "$work"
for user in "$(id -u):$(id -g)" 1234:5678; do
    podman run --rm -v "$work:$work" -w "$work" --user "$user" "$IMAGE" \
        sh -c 'echo x > "out.$(id -u)"' || die "podman run with a bind mount as $user failed"
    owner=$(stat -c %u:%g "$work/out.${user%%:*}" 2>/dev/null) \
        || die "--user $user: file not written in the bind-mounted directory"
    [ "$owner" = "$user" ] || die "--user $user: file owned by $owner"
done
log "bind mount -v DIR:DIR -w DIR writes files owned by --user ($(id -u):$(id -g), 1234:5678)"

log "OK: $IMAGE ready ($(podman image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}'))"
