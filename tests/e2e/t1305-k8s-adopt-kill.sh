#!/bin/sh
# t1305-k8s-adopt-kill.sh - the sequence behind an intermittent failure of
# t1302's random-kill rounds, made deterministic: a krait is killed after
# creating Jobs but before journaling them (simulated by clearing their
# journaled names, as t1302 does); the next krait adopts the running Jobs by
# their identity label - having removed the partial outputs of the
# interrupted attempts, which the Jobs then go on writing - and is killed in
# turn once it has journaled them (marked ~NAME); a third krait re-attaches
# them by that journaled name. Their outputs are incomplete, so it must not
# take their completion as success: it runs the jobs again. Every output ends
# complete and none is ever recorded done while incomplete. Skips when the
# test cluster cannot run here.
set -u
. "$KR_SRCDIR/tests/e2e/k8s-lib.sh"
k8s_ensure_up || exit 0
T=$(mktemp -d) || exit 1
. "$KR_SRCDIR/tests/e2e/tap.sh"
K="$KRAIT run --executor kubernetes --executor-arg k8s-poll-min=0.2 --container-image busybox -j 4"
cd "$T" || exit 1
cat > Snakefile <<'SNAKE'
rule all:
    input: expand("out/{i}.txt", i=range(3))
rule slow:
    output: "out/{i}.txt"
    shell: "printf 'part1 ' >> {output}; sleep 8; printf 'part2 ' >> {output}; sleep 4; echo END >> {output}"
SNAKE
complete() {    # how many of the three outputs are not complete
    bad=0
    for i in 0 1 2; do
        [ "$(cat "out/$i.txt" 2>/dev/null)" = "part1 part2 END" ] || bad=$((bad + 1))
    done
    echo $bad
}
done_incomplete() {     # outputs the journal records done that are not complete
    bad=0
    for p in $(sqlite3 .krait/state.db "select o.path from attempt_outputs o join attempts a on
                   a.id = o.attempt_id where a.state = 2" 2>/dev/null); do
        [ "$(cat "$p" 2>/dev/null)" = "part1 part2 END" ] || bad=$((bad + 1))
    done
    echo $bad
}
wait_for() {    # wait_for CMD...: until CMD succeeds (max 60 s)
    t=0
    while ! "$@" && [ $t -lt 300 ]; do sleep 0.2; t=$((t + 1)); done
}
three_parts() { [ "$(grep -l part1 out/0.txt out/1.txt out/2.txt 2>/dev/null | wc -l)" -ge 3 ]; }
journaled() {   # journaled [LIKE]: three unfinished attempts have a journaled Job name
    [ "$(sqlite3 .krait/state.db "select count(*) from attempts where ext_id like '${1:-%}'
          and [end] is null" 2>/dev/null)" = 3 ]
}

# 1. a krait creates the Jobs, which write part1; it dies
$K > run1.out 2>&1 &
kpid=$!
wait_for three_parts
kill -KILL $kpid
wait $kpid 2>/dev/null
sqlite3 .krait/state.db "update attempts set ext_id = NULL"
check $? "krait 1 killed while its Jobs write; the journal forgets their names (killed before journaling)"

# 2. the next krait adopts them by identity, journals them marked, and dies
$K > run2.out 2>&1 &
kpid=$!
wait_for journaled
journaled; check $? "krait 2 adopted the three running Jobs and journaled them"
journaled '~%'; check $? "... marked as adopted (~NAME)"
[ "$(cat out/*.txt 2>/dev/null | grep -c part1)" = 0 ]
check $? "... after removing the interrupted attempts' partial outputs (which the Jobs go on writing)"
kill -KILL $kpid
wait $kpid 2>/dev/null
same "$(done_incomplete)" "0" "... and dies with nothing recorded done"

# 3. a third krait re-attaches them by the journaled names
KRAIT_K8S_STATS=$PWD/stats3 timeout 120 $K > run3.out 2>&1
rc=$?
check $rc "krait 3 completes the run"
[ $rc -eq 0 ] || sed 's/^/#   /' run3.out | tail -n 15
same "$(grep -c 'not trusted, running the job again' run3.out)" "3" \
    "... it did not trust the re-attached adopted Jobs and ran the three jobs again"
same "$(sed -n 's/^post //p' stats3)" "3" "... in three new Jobs"
same "$(complete)" "0" "every output is complete"
same "$(done_incomplete)" "0" "no incomplete output is recorded done"
cd / && rm -rf "$T"
echo "1..$n"
