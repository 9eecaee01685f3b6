#!/bin/sh
# t0405-dangerous-names.sh - wildcard values come from file names users do
# not control: one holding a shell metacharacter is refused before its job
# runs when shell: would substitute it unquoted (naming the value and the
# :q fix), --allow-unquoted-wildcards turns that off, and with :q such
# names (and names with spaces) just work. Failure cleanup never deletes a
# directory() output outside the workflow directory.
: "${KRAIT:?KRAIT must point at the krait binary}"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
n=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
echo "1..15"

setup() {
    rm -rf w && mkdir -p w/in w/x && cd w || exit 1
    echo keep > x/keep
    echo A > 'in/a;rm -rf x.txt'
    echo B > 'in/b$(touch pwned).txt'
    echo C > 'in/c d.txt'
    cat > Snakefile <<SMK
NAMES = sorted(glob_wildcards("in/{n}.txt").n)
rule all:
    input: expand("out/{n}.txt", n=NAMES)
rule copy:
    input: "in/{n}.txt"
    output: "out/{n}.txt"
    shell: "$1"
SMK
}

# unquoted {input}: refused, nothing of the names runs as code
setup 'cat {input} > {output}'
${KR_VALGRIND:-} "$KRAIT" run -k -c1 >../stdout 2>../stderr
rc=$?
[ "$rc" = 1 ]
t $? "unquoted wildcard values with metacharacters: the run fails (got $rc)"
grep -q "shell: {input} is 'in/a;rm -rf x.txt': the wildcard n='a;rm -rf x' (taken from a file name) contains ';'.*write {input:q} to quote it (or run with --allow-unquoted-wildcards)" ../stderr
t $? "the error names the file, the wildcard and the :q fix"
grep -q "shell: {input} is 'in/b\$(touch pwned).txt'.*contains '\\$'" ../stderr
t $? "a \$(...) name is refused too"
[ -f x/keep ] && [ ! -e pwned ] && [ ! -e out/a\;rm\ -rf\ x.txt ] && [ ! -e 'out/b$(touch pwned).txt' ]
t $? "neither job ran: x/keep still there, no pwned file"
! grep -q "is 'in/c d.txt'" ../stderr && grep -q "cat: d.txt: No such file" '.krait/log/copy/n=c d.log'
t $? "a space in a name is not refused (its job ran; unquoted, cat saw two words)"
sed 's/^/# /' ../stderr
cd ..

# the same through {wildcards.n} and a params value built from it
setup 'echo {params.p} > {output:q}'
sed -i 's/^    shell:/    params: p=lambda wc: "v-" + wc.n\n    shell:/' Snakefile
${KR_VALGRIND:-} "$KRAIT" run -k -c1 >../stdout 2>../stderr
grep -q "shell: {params.p} is 'v-a;rm -rf x': the wildcard n='a;rm -rf x'.*write {params.p:q}" ../stderr
t $? "a params value holding the wildcard value is refused"
[ -f x/keep ] && [ ! -e pwned ]
t $? "and did not run"
cd ..

# :q quotes every value: all three names work
setup 'cat {input:q} > {output:q}'
${KR_VALGRIND:-} "$KRAIT" run -c1 >../stdout 2>../stderr
t $? "with :q the run succeeds"
[ "$(cat 'out/a;rm -rf x.txt')" = A ] && [ "$(cat 'out/b$(touch pwned).txt')" = B ] &&
    [ "$(cat 'out/c d.txt')" = C ]
t $? "with :q each output has its input's content"
[ -f x/keep ] && [ ! -e pwned ]
t $? "with :q nothing ran as code"
cd ..

# --allow-unquoted-wildcards: krait substitutes as Snakemake would
setup 'cat {input} > {output}'
${KR_VALGRIND:-} "$KRAIT" run -k -c1 --allow-unquoted-wildcards >../stdout 2>../stderr
! grep -q "allow-unquoted-wildcards" ../stderr
t $? "--allow-unquoted-wildcards: no refusal"
[ -e pwned ]
t $? "--allow-unquoted-wildcards: the command ran unquoted (the \$(touch pwned) ran)"
cd ..

# failure cleanup: a directory() output outside the workflow directory is
# left in place with a warning; one inside is removed as before
rm -rf w outside && mkdir -p w && cd w || exit 1
cat > Snakefile <<'SMK'
rule all:
    input: "../outside/d", "inside/d"
rule out:
    output: directory("../outside/d")
    shell: "mkdir -p {output}; echo keep > {output}/f; exit 1"
rule ins:
    output: directory("inside/d")
    shell: "mkdir -p {output}; echo x > {output}/f; exit 1"
SMK
${KR_VALGRIND:-} "$KRAIT" run -k -c1 >../stdout 2>../stderr
[ "$(cat ../outside/d/f 2>/dev/null)" = keep ]
t $? "a failed job's directory() output outside the workflow directory is not deleted"
grep -q "warning: left the output directory ../outside/d of the failed job in place: it is outside the workflow directory" ../stderr
t $? "with a warning naming it"
[ ! -e inside/d ]
t $? "a failed job's directory() output inside is removed"
sed 's/^/# /' ../stderr
cd ..
