#!/bin/sh
# t0204-shell-object.sh - the top-level `shell` object as in Snakemake:
# shell.prefix()/shell.suffix() are joined to every shell: command (also of
# rules defined before the call; formatted against the rule file's globals),
# shell.executable("bash") is the default, another shell runs the command,
# an unknown shell name is an error with its location, and a change of the
# prefix reruns the shell: jobs through the code trigger.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
n=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
echo "1..8"
cat > Snakefile <<'SMK'
TRACE = "trace.txt"
rule all:
    input: "a.txt"
rule a:
    output: "a.txt"
    shell: "echo $0 > {output}; echo mid >> {TRACE}"
shell.executable("bash")
shell.prefix("set -o pipefail; echo pre >> {TRACE}; ")
shell.suffix("; echo post >> trace.txt")
SMK
$KRAIT run -c 1 > run.out 2>&1
t $? "a workflow using shell.executable/prefix/suffix runs"
[ "$(cat trace.txt 2>/dev/null)" = "$(printf 'pre\nmid\npost')" ]
t $? "prefix and suffix wrap the command of a rule defined before them"
[ "$(cat a.txt 2>/dev/null)" = bash ]
t $? "shell.executable(\"bash\") runs bash"
$KRAIT run -c 1 > again.out 2>&1 && grep -q "Nothing to be done" again.out
t $? "a second run has nothing to do"
sed 's/echo post/echo post2/' Snakefile > S2 && mv S2 Snakefile
$KRAIT plan > plan.out 2>&1; grep -q "code changed" plan.out || $KRAIT explain a.txt 2>&1 | grep -q "code changed"
t $? "a changed shell.suffix() reruns the job (code trigger)"
cat > Sh <<'SMK'
shell.executable("sh")
rule b:
    output: "b.txt"
    shell: "echo $0 > {output}; echo 'it''s' >> {output}"
SMK
$KRAIT run -s Sh -c 1 > sh.out 2>&1
t $? "a workflow with shell.executable(\"sh\") runs"
[ "$(cat b.txt 2>/dev/null)" = "$(printf '%s\nits' "$(command -v sh)")" ]
t $? "the command runs in sh, quotes intact"
cat > Bad <<'SMK'
rule c:
    output: "c.txt"
    shell: "true"
shell.executable("no-such-shell-krait")
SMK
$KRAIT lint -s Bad > bad.out 2> bad.err
[ $? = 1 ] && grep -q "^Bad:4:1: error: shell.executable(): cannot use 'no-such-shell-krait' as the shell: it is not on PATH" bad.err
t $? "an unknown shell is an error at its location"
