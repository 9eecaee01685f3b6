# kill-lib.sh - sourced by the kill test (tests/e2e/t0440-kill.sh) and the
# kill benchmark (bench/kill_bench.sh). kill_workflow ROUNDS runs, in the
# current (empty) directory, a workflow of 200 jobs that each write their
# output slowly in five parts, SIGKILLs krait at a random moment ROUNDS
# times, then runs it to the end, and judges what happened from krait's own
# journal, never from the order of lines in a log:
#
#   - after each kill (krait is dead, so nothing more can be committed), the
#     outputs of the attempts committed as done (attempts.state = 2 in
#     .krait/state.db) are the "recorded" jobs of that moment;
#   - every job appends "start I A P" and "end I A P" to exec.log, A being
#     its attempt (KRAIT_ATTEMPT, the journal's attempt id) and P ($PPID)
#     the krait that spawned it: a start by an attempt journaled after an
#     attempt of job I was committed as done is a rerun of a completed job;
#   - every job holds an flock on locks/I while it runs (the lock goes away
#     only when every process of the job is gone): a job that finds it held
#     is a second execution of one job at the same time;
#   - an output recorded as done that is not complete at the snapshot, or
#     any output not complete at the end, is a partial output accepted.
#
# It sets: KW_KILLED (rounds in which krait was SIGKILLed), KW_FINAL (exit
# code of the final run), KW_RERUNS, KW_DUPS, KW_PARTIAL, KW_COMPLETE
# (complete outputs at the end), KW_ENDS (jobs that ended at least once),
# KW_RUNS (executions), KW_ORDER_ALARMS (what the old ordering inference -
# "an end by krait P is recorded once P starts any later job" - would have
# called reruns) and KW_ORDER_FALSE (those the journal shows were not
# committed: false alarms of that inference). Details go to stderr as "# ".

kw_snapshot() {
    sqlite3 .krait/state.db "select o.path from attempt_outputs o join attempts a on
        a.id = o.attempt_id where a.state = 2 order by o.path" 2>/dev/null |
        sed 's|^out/||; s|\.txt$||' > "$1"
}

# Count (and name on stderr) the jobs read from stdin whose output is not
# complete.
kw_incomplete() {
    awk '{
        f = "out/" $1 ".txt"; line = ""
        if ((getline line < f) <= 0 || line != "part1 part2 part3 part4 part5 END" ||
            (getline line < f) > 0) { bad++; print "# partial output " f > "/dev/stderr" }
        close(f)
    } END { print bad + 0 }'
}

kill_workflow() {
    mkdir -p locks out
    cat > Snakefile <<'SNAKE'
rule all:
    input: expand("out/{i}.txt", i=range(200))
rule slow:
    output: "out/{i}.txt"
    shell:
        "exec 9>>locks/{wildcards.i}; "
        "flock -n 9 || echo dup {wildcards.i} $KRAIT_ATTEMPT >> dup.log; "
        "echo start {wildcards.i} $KRAIT_ATTEMPT $PPID >> exec.log; "
        "for k in 1 2 3 4 5; do printf \"part$k \" >> {output}; sleep 0.0$((RANDOM % 9)); done; "
        "echo END >> {output}; "
        "echo end {wildcards.i} $KRAIT_ATTEMPT $PPID >> exec.log"
SNAKE
    : > exec.log
    : > dup.log
    KW_KILLED=0
    KW_PARTIAL=0
    kw_r=0
    while [ $kw_r -le "$1" ]; do
        kw_snapshot "snap$kw_r"
        # outputs recorded as done must be complete when recorded
        kw_p=$(kw_incomplete < "snap$kw_r")
        KW_PARTIAL=$((KW_PARTIAL + kw_p))
        if [ $kw_r -eq "$1" ]; then
            "$KRAIT" run -c 8 -q > final.out 2>&1
            KW_FINAL=$?
            break
        fi
        "$KRAIT" run -c 4 -q > "round$kw_r.out" 2>&1 &
        kw_pid=$!
        # a random moment between 0.3 and 1.5 s (mawk's srand() takes the
        # seed modulo 2^32 badly: a 16-digit seed gave every round the same
        # moment, so it is reduced first); the moments go to stderr
        kw_at=$(awk -v s="$$$kw_r$(date +%N)" 'BEGIN { srand(s % 1000000007); printf "%.2f", 0.3 + rand() * 1.2 }')
        echo "# round $kw_r: SIGKILL after $kw_at s" >&2
        sleep "$kw_at"
        if kill -9 $kw_pid 2>/dev/null; then KW_KILLED=$((KW_KILLED + 1)); fi
        wait $kw_pid 2>/dev/null
        kw_r=$((kw_r + 1))
    done
    # each line of exec.log names the attempt (KRAIT_ATTEMPT=ID@DIR); a
    # start by an attempt journaled after an attempt of the same job was
    # committed as done is a rerun of a completed job (a later attempt id
    # belongs to a later krait: the earlier one had committed and died)
    sqlite3 .krait/state.db "select o.path, a.id from attempt_outputs o join attempts a on
        a.id = o.attempt_id where a.state = 2" 2>/dev/null |
        sed 's|^out/||; s|\.txt$||' > done-attempts
    KW_RERUNS=$(awk -F'[ |@]' '
        FILENAME == "done-attempts" { if (!($1 in done) || $2 < done[$1]) done[$1] = $2; next }
        $1 == "start" && ($2 in done) && $3 + 0 > done[$2] + 0 {
            bad++; print "# rerun of completed job " $2 ": attempt " $3 " after attempt " done[$2] " was committed" > "/dev/stderr"
        }
        END { print bad + 0 }' done-attempts exec.log)
    KW_DUPS=$(wc -l < dup.log)
    if [ "$KW_DUPS" -gt 0 ]; then sed 's/^/# concurrent duplicate: /' dup.log >&2; fi
    kw_p=$(seq 0 199 | kw_incomplete)
    KW_COMPLETE=$((200 - kw_p))
    KW_PARTIAL=$((KW_PARTIAL + kw_p))
    KW_ENDS=$(awk '$1 == "end" { e[$2] = 1 } END { print length(e) }' exec.log)
    KW_RUNS=$(grep -c '^start' exec.log)
    # the old inference, kept to measure it: how often it cries wolf
    awk '
        $1 == "start" || $1 == "end" {
            i = $2; p = $4
            if ($1 == "start") {
                for (k in pend) if (pend[k] == p) { confirmed[k] = 1; delete pend[k] }
                if (confirmed[i]) print i, p
            } else {
                if (confirmed[i]) print i, p
                pend[i] = p
            }
        }' exec.log > order-alarms
    KW_ORDER_ALARMS=$(wc -l < order-alarms)
    KW_ORDER_FALSE=$KW_ORDER_ALARMS
    [ "$KW_ORDER_ALARMS" -gt 0 ] && KW_ORDER_FALSE=$((KW_ORDER_ALARMS - KW_RERUNS))
    [ "$KW_ORDER_FALSE" -lt 0 ] && KW_ORDER_FALSE=0
    return 0
}
