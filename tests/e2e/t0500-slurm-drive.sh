#!/usr/bin/env bash
# t0500-slurm-drive.sh - the SLURM executor through its vtable against the real
# single-node SLURM: brings SLURM up (tests/slurm/slurm-up.sh --fast, under a lock
# shared by all SLURM tests) and runs tests/unit/slurm_drive, which prints TAP:
# resource mapping, every provokable outcome (exit code, memory limit, time
# limit, scancel from outside, cancel, LOST), a job array, attach. ~1.5 min.
# Skips when SLURM cannot be started here (not root, no slurm packages).
set -u
. "$KR_SRCDIR/tests/e2e/slurm-lib.sh"
slurm_ensure_up || exit 0
cd "$(mktemp -d)" || exit 1
exec ${KR_VALGRIND:-} "$KR_BUILDDIR/tests/unit/slurm_drive" "$PWD"
