#!/usr/bin/env bash
# slurm-down.sh - stop the single-node test SLURM started by tests/slurm/slurm-up.sh:
# slurmd, slurmctld and munged (unless --keep-munge).
#
# Daemons are found by the pid files slurm-up.sh configured (/run/slurmctld.pid,
# /run/slurmd.pid, /run/munge/munged.pid), asked to stop with SIGTERM and waited for
# (bounded, 30 s each), then killed with SIGKILL. Jobs still running are lost; the
# controller's saved state (/var/spool/slurmctld) is kept, so job ids keep counting
# up across restarts. Idempotent: nothing running is not an error.
set -euo pipefail

KEEP_MUNGE=0
case "${1:-}" in
    "") ;;
    --keep-munge) KEEP_MUNGE=1 ;;
    -h|--help) echo "usage: $0 [--keep-munge]"; exit 0 ;;
    *) echo "slurm-down: error: unknown option '$1' (usage: $0 [--keep-munge])" >&2; exit 1 ;;
esac
[ "$(id -u)" -eq 0 ] || { echo "slurm-down: error: must run as root" >&2; exit 1; }

log() { echo "slurm-down: $*"; }

# stop NAME PIDFILE: stop the daemon whose pid is in PIDFILE, if it is NAME.
stop() {
    local name=$1 pidfile=$2 pid comm
    pid=$(cat "$pidfile" 2>/dev/null || true)
    if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
        log "$name not running"
        rm -f "$pidfile"
        return 0
    fi
    comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
    if [ "$comm" != "$name" ]; then
        log "$pidfile names pid $pid which is '$comm', not $name; leaving it alone"
        rm -f "$pidfile"
        return 0
    fi
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 300); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; return 0; }
        sleep 0.1
    done
    log "$name (pid $pid) ignored SIGTERM for 30 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
    if kill -0 "$pid" 2>/dev/null; then
        echo "slurm-down: error: could not stop $name (pid $pid)" >&2
        exit 1
    fi
    rm -f "$pidfile"
}

stop slurmd /run/slurmd.pid
stop slurmctld /run/slurmctld.pid
if [ "$KEEP_MUNGE" -eq 0 ]; then
    stop munged /run/munge/munged.pid
fi
log "done"
