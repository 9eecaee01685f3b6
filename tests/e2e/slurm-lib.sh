# slurm-lib.sh - sourced by the SLURM end-to-end tests (tests/e2e/t05NN-slurm-*.sh).
#
# slurm_ensure_up: make sure the test SLURM runs with --fast scheduling
# (tests/slurm/slurm-up.sh, idempotent), serialised with flock so that tests
# running in parallel do not restart the daemons under each other's jobs.
# Then it takes the cluster for the rest of the test: the single node has two
# CPUs, and checks such as "two jobs run at once" or "a job starts within N
# seconds" hold only when no other test's jobs compete (the lock is held on
# fd 9 until the test's shell exits).
# Returns 0 when SLURM is up; otherwise prints "1..0 # SKIP reason" and
# returns 1 (the caller exits 0). Output of slurm-up goes to slurm-up.log in
# the current directory's parent temp area, shown on failure.

slurm_ensure_up() {
    local log rc
    if [ "$(id -u)" -ne 0 ]; then
        echo "1..0 # SKIP the test SLURM needs root (tests/slurm/slurm-up.sh)"
        return 1
    fi
    if ! command -v sbatch >/dev/null || ! command -v slurmctld >/dev/null; then
        echo "1..0 # SKIP no SLURM packages (scripts/install-deps.sh --slurm)"
        return 1
    fi
    log=$(mktemp)
    # -o: the daemons slurm-up.sh starts (munged) must not inherit the locked
    # descriptor, or the lock stays held for as long as they run and every
    # later test waits here for ever
    flock -o /tmp/krait-slurm-up.lock "$KR_SRCDIR/tests/slurm/slurm-up.sh" --fast >"$log" 2>&1
    rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "1..0 # SKIP tests/slurm/slurm-up.sh --fast failed: $(tail -n 1 "$log")"
        sed 's/^/# /' "$log"
        rm -f "$log"
        return 1
    fi
    rm -f "$log"
    exec 9>/tmp/krait-slurm-tests.lock
    flock 9
    return 0
}
