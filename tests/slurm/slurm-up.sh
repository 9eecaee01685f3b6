#!/usr/bin/env bash
# slurm-up.sh - start a real single-node SLURM (Debian 12's slurm-wlm 22.05) on
# localhost for krait's SLURM executor tests, and prove it runs a job.
#
# Needs root and the packages from `scripts/install-deps.sh --slurm`. There is no
# systemd on the test machines, so the daemons are started by hand: munged (as user
# munge), slurmctld, slurmd. No cgroups: proctrack/linuxproc + task/none. Memory is
# a consumable resource (cons_tres, CR_Core_Memory, DefMemPerCPU=256) so several jobs
# run at once; EnforcePartLimits=ALL makes impossible requests fail at submit instead
# of pending forever. Job completion records go to /var/log/slurm/jobcomp.log and
# are read with `sacct --completion` (there is no slurmdbd). See tests/slurm/NOTES.md
# for what the job states and exit codes look like.
#
# Idempotent: when slurmctld and slurmd already answer with the same configuration it
# only verifies (node idle, a trivial job completes). If the configuration changed,
# the daemons are restarted. Stop everything with tests/slurm/slurm-down.sh.
# Environment: SLURM_UP_TIMEOUT (seconds to wait for the node, default 60).
#
# Option --fast adds SchedulerParameters=batch_sched_delay=0,sched_min_interval=100000:
# with SLURM's default (batch_sched_delay=3) jobs submitted one after another start
# at most one scheduling pass every 3 s; --fast brings `sbatch --wrap true` ->
# COMPLETED from ~2.9 s to ~0.9 s. Off by default, as real clusters keep the delay.
set -euo pipefail

TIMEOUT=${SLURM_UP_TIMEOUT:-60}
SCHED_LINE=""
case "${1:-}" in
    "") ;;
    --fast) SCHED_LINE="SchedulerParameters=batch_sched_delay=0,sched_min_interval=100000" ;;
    -h|--help) echo "usage: $0 [--fast]"; exit 0 ;;
    *) echo "slurm-up: error: unknown option '$1' (usage: $0 [--fast])" >&2; exit 1 ;;
esac
CONF=/etc/slurm/slurm.conf
LOGDIR=/var/log/slurm
CTLD_SPOOL=/var/spool/slurmctld
SLURMD_SPOOL=/var/spool/slurmd
MUNGE_KEY=/etc/munge/munge.key
T0=${EPOCHREALTIME/./}

# Progress line with the elapsed time (bash 5's EPOCHREALTIME, microseconds).
log() {
    local us=$(( ${EPOCHREALTIME/./} - T0 ))
    printf 'slurm-up [%d.%02ds]: %s\n' $((us / 1000000)) $((us % 1000000 / 10000)) "$*"
}
die() { echo "slurm-up: error: $*" >&2; exit 1; }
# Print the tail of a log file to stderr (to explain a failure).
show_log() { [ -f "$1" ] && { echo "--- tail of $1" >&2; tail -n 20 "$1" >&2; }; return 0; }

[ "$(id -u)" -eq 0 ] || die "must run as root"
for c in munged munge unmunge slurmctld slurmd sinfo sbatch scontrol runuser; do
    command -v "$c" >/dev/null || die "'$c' not found; run scripts/install-deps.sh --slurm"
done

# ---------------------------------------------------------------- configuration
host=$(hostname -s)
cpus=$(nproc)
mem=$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
[ -n "$mem" ] || die "could not read RealMemory from 'slurmd -C'"
mem=$((mem - 512))
[ "$mem" -gt 512 ] || die "too little memory for a test node (RealMemory-512 = $mem MB)"

newconf=$(cat <<EOF
# Written by krait tests/slurm/slurm-up.sh: single-node test cluster, no cgroups.
ClusterName=krait
SlurmctldHost=${host}(127.0.0.1)
SlurmUser=slurm
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
MpiDefault=none
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=${CTLD_SPOOL}
SlurmdSpoolDir=${SLURMD_SPOOL}
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=${LOGDIR}/slurmctld.log
SlurmdLogFile=${LOGDIR}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
${SCHED_LINE}
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=256
EnforcePartLimits=ALL
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=task=1
JobAcctGatherParams=OverMemoryKill
JobCompType=jobcomp/filetxt
JobCompLoc=${LOGDIR}/jobcomp.log
MailProg=/bin/true
ReturnToService=2
MinJobAge=300
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${mem} State=UNKNOWN
PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP
EOF
)

# ------------------------------------------------------------------ helpers
munge_ok() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }
ctld_ok() { scontrol ping 2>/dev/null | grep -q 'is UP'; }
pid_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
slurmd_ok() { pid_alive /run/slurmd.pid; }

# Wait until the node is usable: idle (or busy with jobs already running).
wait_node() {
    local deadline=$(( $(date +%s) + TIMEOUT )) st=""
    while :; do
        st=$(sinfo -h -o %T 2>/dev/null | head -n 1 || true)
        case "$st" in
            idle|mixed|allocated|completing) log "node $host is $st"; return 0 ;;
        esac
        if [ "$(date +%s)" -ge "$deadline" ]; then
            show_log "$LOGDIR/slurmctld.log"; show_log "$LOGDIR/slurmd.log"
            die "node $host not idle after ${TIMEOUT}s (sinfo says '${st:-nothing}')"
        fi
        sleep 0.2
    done
}

# Submit `sbatch --wrap true` and wait until it is COMPLETED.
verify_job() {
    local id st deadline
    id=$(sbatch --parsable --chdir=/tmp -o /dev/null -e /dev/null -J slurm-up-check --wrap true) \
        || die "sbatch of a trivial job failed"
    id=${id%%;*}
    deadline=$(( $(date +%s) + TIMEOUT ))
    while :; do
        st=$(scontrol show job "$id" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
        case "$st" in
            COMPLETED) log "test job $id COMPLETED"; return 0 ;;
            FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED)
                scontrol show job "$id" >&2 || true
                show_log "$LOGDIR/slurmd.log"
                die "test job $id ended $st" ;;
        esac
        if [ "$(date +%s)" -ge "$deadline" ]; then
            scontrol show job "$id" >&2 || true
            die "test job $id not finished after ${TIMEOUT}s (state '${st:-unknown}')"
        fi
        sleep 0.1
    done
}

# ------------------------------------------------------------- already running?
if munge_ok && ctld_ok && slurmd_ok; then
    if [ -f "$CONF" ] && [ "$(cat "$CONF")" = "$newconf" ]; then
        log "SLURM is already up with this configuration; verifying only"
        wait_node
        verify_job
        log "OK: SLURM is up"
        exit 0
    fi
    log "SLURM is up but $CONF differs from the wanted configuration; restarting"
    "$(dirname "$0")/slurm-down.sh" --keep-munge
fi

# ----------------------------------------------------------------------- munge
install -d -o munge -g munge -m 0700 /etc/munge /var/lib/munge /var/log/munge
install -d -o munge -g munge -m 0755 /run/munge
if [ ! -s "$MUNGE_KEY" ]; then
    log "generating $MUNGE_KEY"
    if command -v mungekey >/dev/null; then
        mungekey --create --keyfile="$MUNGE_KEY"
    else
        dd if=/dev/urandom of="$MUNGE_KEY" bs=1 count=1024 status=none
    fi
fi
chown munge:munge "$MUNGE_KEY"
chmod 0400 "$MUNGE_KEY"
if munge_ok; then
    log "munged already running"
else
    log "starting munged"
    runuser -u munge -- /usr/sbin/munged || die "munged did not start (see /var/log/munge/munged.log)"
    for _ in $(seq 50); do munge_ok && break; sleep 0.1; done
    munge_ok || { show_log /var/log/munge/munged.log; die "munge credential round trip fails"; }
fi

# ----------------------------------------------------------------------- slurm
log "writing $CONF (node $host: CPUs=$cpus RealMemory=$mem)"
install -d -m 0755 /etc/slurm
printf '%s\n' "$newconf" > "$CONF.tmp"
mv "$CONF.tmp" "$CONF"
install -d -o slurm -g slurm -m 0755 "$LOGDIR" "$CTLD_SPOOL"
install -d -o root -g root -m 0755 "$SLURMD_SPOOL"
touch "$LOGDIR/jobcomp.log"
chown slurm:slurm "$LOGDIR/jobcomp.log"

if ctld_ok; then
    log "slurmctld already running"
else
    log "starting slurmctld"
    slurmctld || { show_log "$LOGDIR/slurmctld.log"; die "slurmctld failed to start"; }
fi
if slurmd_ok; then
    log "slurmd already running"
else
    log "starting slurmd"
    slurmd || { show_log "$LOGDIR/slurmd.log"; die "slurmd failed to start"; }
fi

deadline=$(( $(date +%s) + TIMEOUT ))
until ctld_ok; do
    [ "$(date +%s)" -lt "$deadline" ] || { show_log "$LOGDIR/slurmctld.log"; die "slurmctld does not answer 'scontrol ping'"; }
    sleep 0.1
done
wait_node
verify_job
log "OK: SLURM is up (partition debug, node $host, $cpus CPUs, $mem MB)"
