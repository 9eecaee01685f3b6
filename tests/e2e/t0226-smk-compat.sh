#!/bin/sh
# t0226-smk-compat.sh - Snakemake 7.21 behaviours found missing by running
# Snakemake's own test workflows (test01, test_core_dependent_threads,
# test_github_issue727, test_shadow, test_long_shell, test_temp_expand):
#   version:           the deprecated rule directive is accepted and ignored
#   threads: a float   truncated (workflow.cores * 0.75 with -c 3 is 2)
#   predefined names   re, sys, json, copy, Path, OrderedDict, partial... work
#                      without an import (rule files run in snakemake.workflow's
#                      globals)
#   shadow symlinks    an absolute symlink into the shadow directory becomes
#                      relative when the output is moved out (unshadow_output)
#   long commands      a command longer than an argument may be (128 KiB) runs
#   unread temp()      a temp() output no job of the run reads is removed as
#                      soon as its job is done; kept when its job is a target
#   *list, **dict      unpacked into a directive's items (directives are call
#                      arguments in Snakemake)
#   use rule in module `use rule A as B with:` inside a module's Snakefile uses
#                      the module's A; B is renamed and path-modified too
#   rules.X.output     an input written so is made by X, even where another
#                      rule could make it (Snakemake's Rule.dependencies)
#   annotations        `NAME: TYPE = VALUE` is an assignment
#   yield              a def that yields returns the list of what it yielded
#   benchmark repeat() the job runs n times, one benchmark row each
# Where Debian's snakemake is installed, the same workflows run with it too
# and the resulting files must be the same.
set -u
. "$KR_SRCDIR/tests/e2e/tap.sh"
T=$(mktemp -d) && cd "$T" || exit 1
echo "# in $T"
SMK=
if command -v snakemake > /dev/null 2>&1 && [ -x /usr/bin/python3 ]; then SMK=snakemake; fi
# files KRAIT_DIR SMK_DIR: both trees (names and contents), .krait/.snakemake left out
tree() { (cd "$1" && find . -path ./.krait -prune -o -path ./.snakemake -prune -o \( -type f -o -type l \) -print |
          sort | while IFS= read -r f; do printf '%s: %s\n' "$f" "$(cat "$f" 2>/dev/null | head -c 200 | tr '\n' '|')"; done); }
compare() {     # compare NAME SNAKEFILE-DIR [ARGS]: run snakemake in a copy, same tree as krait's
    if [ -z "$SMK" ]; then n=$((n + 1)); echo "ok $n # SKIP snakemake is not installed"; return; fi
    rm -rf "$T/smk-$1" && cp -r "$T/$1.src" "$T/smk-$1" && (cd "$T/smk-$1" && shift && timeout 120 snakemake -c3 -q "$@" > ../smk-out 2>&1)
    same "$(tree "$T/smk-$1")" "$(tree "$T/$1")" "... the same files as Snakemake 7.21"
}
prep() { mkdir "$1.src" && cat > "$1.src/Snakefile" && cp -r "$1.src" "$1"; }

# ---- version: and a float threads: -------------------------------------------------
prep v <<'SNAKE'
rule all:
    input: "t.txt"
rule a:
    output: "t.txt"
    version: "1.0"
    threads: workflow.cores * 0.75
    shell: "echo {threads} > {output}"
SNAKE
(cd v && "$KRAIT" run -c 3 -q > ../v.out 2>&1); check $? "version: is accepted; a float threads: runs"
sed 's/^/#   /' v.out
same "$(cat v/t.txt 2>/dev/null)" "2" "... threads: 3 * 0.75 is 2"
compare v

# ---- names Snakemake predefines ---------------------------------------------------------
prep p <<'SNAKE'
OUT = Path("o")
d = OrderedDict(a=1)
f = partial(re.sub, "a")
rule all:
    input: str(OUT / "x.txt")
rule a:
    output: str(OUT / "x.txt")
    params: j=json.dumps(list(d)), r=f("b", "aa"), c=list(chain([1], [2])), m=copy.copy([sys.platform])
    shell: "echo '{params.j} {params.r} {params.c} {params.m}' > {output}"
SNAKE
(cd p && "$KRAIT" run -c 1 -q > ../p.out 2>&1); check $? "Path, OrderedDict, partial, re, json, chain, copy, sys need no import"
sed 's/^/#   /' p.out
same "$(cat p/o/x.txt 2>/dev/null)" '["a"] bb 1 2 linux' "... and give what Python gives"
compare p

# ---- an absolute symlink made in a shadow directory ----------------------------------------
prep s <<'SNAKE'
rule all:
    input: "absolute_link.out", "sub/l.out"
rule a:
    output: "absolute.out", "absolute_link.out", "sub/t", "sub/l.out"
    shadow: "shallow"
    shell:
        "echo 1 > absolute.out; ln -s $(pwd -P)/absolute.out absolute_link.out; "
        "mkdir -p sub; echo 2 > sub/t; ln -s $(pwd -P)/sub/t sub/l.out"
SNAKE
(cd s && "$KRAIT" run -c 1 -q > ../s.out 2>&1); check $? "a shadowed job's absolute symlinks into its shadow directory"
sed 's/^/#   /' s.out
same "$(readlink s/absolute_link.out) $(readlink s/sub/l.out) $(cat s/absolute_link.out s/sub/l.out | tr '\n' ' ')" \
    "absolute.out ../sub/t 1 2 " "... are remade relative, and resolve after the move"

# ---- a command longer than one argument may be -----------------------------------------------
mkdir l && cd l && echo hi > in.txt
/usr/bin/python3 -c 'open("Snakefile", "w").write("rule a:\n    input: \"in.txt\"\n    output: \"out.txt\"\n    shell: \"cp {input} {output}; #\" + \"x\" * 64 * 4096 + \"\\necho tail >> {output}\"\n")'
"$KRAIT" run -c 1 -q > ../l.out 2>&1; check $? "a 256 KiB command runs (Linux limits one argument to 128 KiB)"
sed 's/^/#   /' ../l.out | head -5
same "$(cat out.txt 2>/dev/null | tr '\n' ' ')" "hi tail " "... all of it, to its last line"
cd ..

# ---- temp() outputs nothing reads ----------------------------------------------------------
prep t <<'SNAKE'
rule all:
    input: "a.txt"
rule a:
    input: "b.txt"
    output: "a.txt"
    shell: "cat {input} > {output}"
rule b:
    output: "b.txt", temp("c.txt")
    shell: "echo b > {output[0]}; echo c > {output[1]}"
SNAKE
(cd t && "$KRAIT" run -c 1 -q > ../t.out 2>&1); check $? "a job with a temp() output nothing reads"
[ -e t/b.txt ] && [ ! -e t/c.txt ]; check $? "... the unread temp() output is removed once its job is done"
compare t
(cd t && rm -f a.txt b.txt && "$KRAIT" run -c 1 -q b.txt > ../t2.out 2>&1) && [ -e t/c.txt ]
check $? "... and kept when its job is the target"
# ---- *list and **dict in directives ----------------------------------------------------------
prep u <<'SNAKE'
def get_out():
    return {"a": "a.txt", "b": "b.txt"}
def get_list():
    return ["c.txt", "d.txt"]
rule all:
    input: "x.txt"
rule x:
    input: *get_list(), **get_out()
    output: "x.txt"
    params: *["p1"], **{"q": "p2"}
    shell: "cat {input.a} {input.b} {input[0]} {input} > {output}; echo {params[0]} {params.q} >> {output}"
rule mk:
    output: *get_list(), **get_out()
    shell: "for f in {output}; do echo $f > $f; done"
SNAKE
(cd u && "$KRAIT" run -c 1 -q > ../u.out 2>&1); check $? "*list and **dict unpack into input:, output: and params: (test_unpack_list/dict)"
sed 's/^/#   /' u.out
same "$(tr '\n' ' ' < u/x.txt 2>/dev/null)" "a.txt b.txt c.txt c.txt d.txt a.txt b.txt p1 p2 " "... positional, then named, as Python's call does"
compare u
# ---- use rule inside a module ------------------------------------------------------------------
mkdir -p m.src/m && cat > m.src/m/Snakefile <<'SNAKE'
def some_func():
    return 15
rule c_tsv:
    output: "results/c/{name}.tsv"
    shell: "echo {rule} > {output}"
use rule c_tsv as c_txt with:
    output: "results/c/{name}.txt"
SNAKE
cat > m.src/Snakefile <<'SNAKE'
module test:
    snakefile: "m/Snakefile"
    replace_prefix: {"results/": "results/testmodule/"}
use rule * from test as test_*
rule all:
    input: "results/testmodule/c/x.tsv", "results/testmodule/c/x.txt"
    default_target: True
assert test.some_func() == 15
SNAKE
cp -r m.src m
(cd m && "$KRAIT" run -c 1 -q > ../m.out 2>&1); check $? "a module's own 'use rule A as B with:' (from test_modules_all)"
sed 's/^/#   /' m.out
same "$(cat m/results/testmodule/c/x.tsv m/results/testmodule/c/x.txt 2>/dev/null | tr '\n' ' ')" "test_c_tsv test_c_txt " \
    "... B is renamed and its new output prefixed as the module's rules are"
compare m
# ---- rules.NAME.output as an input picks NAME among ambiguous rules ------------------------------
prep r <<'SNAKE'
rule all:
    input: "test.out"
rule a:
    output: "test.in"
    shell: "touch {output}"
rule b:
    input: rules.a.output
    output: "test.inter"
    shell: "echo b > {output}"
rule c:
    input: rules.a.output
    output: "test.inter"
    shell: "exit 1"
rule d:
    input: rules.b.output
    output: "test.out"
    shell: "cat {input} > {output}"
SNAKE
(cd r && "$KRAIT" run -c 1 -q > ../r.out 2>&1); check $? "rules.b.output as input: b makes the file another rule could make too (test_ruledeps)"
sed 's/^/#   /' r.out
same "$(cat r/test.out 2>/dev/null)" "b" "... the job of rule b ran"
compare r
# ---- annotated assignments ------------------------------------------------------------------------
prep a <<'SNAKE'
some_var: str = 'generate_out'
counts: dict = {"a": 1, "b": [2, 3]}
def f(x: int) -> int:
    y: int = x + 1
    return y
rule a:
    output: f"{some_var}.txt"
    params: n=f(counts["a"])
    shell: "echo {params.n} > {output}"
SNAKE
(cd a && "$KRAIT" run -c 1 -q > ../a.out 2>&1) && [ "$(cat a/generate_out.txt 2>/dev/null)" = 2 ]
check $? "annotated assignments (NAME: TYPE = VALUE), at top level and in a def (test_name_override)"
sed 's/^/#   /' a.out
compare a
# ---- generator functions (yield) ------------------------------------------------------------------
prep g <<'SNAKE'
def inputs(wildcards):
    for n in range(1, 4):
        yield "%s.%d.in" % (wildcards.base, n)
def more():
    yield from ["x", "y"]
    yield
    return
NAMES = [s.upper() for s in more() if s]
rule main:
    input: "foo.out"
rule mk:
    output: "{base}.{n}.in"
    shell: "echo {wildcards.n} > {output}"
rule test3:
    output: "{base}.out"
    input: inputs
    params: names=" ".join(NAMES), n=len(list(more()))
    shell: "cat {input} > {output}; echo {params.names} {params.n} >> {output}"
SNAKE
(cd g && "$KRAIT" run -c 1 -q > ../g.out 2>&1); check $? "an input function that yields (test_input_generator), yield from, a bare yield"
sed 's/^/#   /' g.out
same "$(tr '\n' ' ' < g/foo.out 2>/dev/null)" "1 2 3 X Y 3 " "... a generator's values, collected into a list"
compare g
printf 'yield 1\n' > g/bad.smk
(cd g && "$KRAIT" lint -s bad.smk > ../gbad.out 2>&1); [ $? -ne 0 ] && grep -q "'yield' outside function" gbad.out
check $? "... and a yield outside a function is an error"
# ---- benchmark: repeat(path, n) -------------------------------------------------------------------
prep rep <<'SNAKE'
rule all:
    input: "r.out"
rule b:
    output: "r.out"
    benchmark: repeat("bench/b.tsv", 3)
    shell: "echo x >> {output}"
SNAKE
(cd rep && "$KRAIT" run -c 1 -q > ../rep.out 2>&1); check $? "benchmark: repeat(path, 3) runs (the tutorial's benchmark repetitions)"
same "$(wc -l < rep/bench/b.tsv 2>/dev/null | tr -d ' ') $(head -n 1 rep/bench/b.tsv 2>/dev/null | cut -f1-3)" \
     "4 s	h:m:s	max_rss" "... the job ran 3 times: a header and 3 rows"
same "$(cat rep/r.out 2>/dev/null | tr '\n' ' ')" "x x x " "... each run appended to the output"
if [ -n "$SMK" ]; then
    rm -rf smk-rep && cp -r rep.src smk-rep && (cd smk-rep && timeout 120 snakemake -c1 -q > ../smk-out 2>&1)
    same "$(wc -l < smk-rep/bench/b.tsv 2>/dev/null | tr -d ' ') $(cat smk-rep/r.out 2>/dev/null | tr '\n' ' ')" \
         "$(wc -l < rep/bench/b.tsv | tr -d ' ') $(cat rep/r.out | tr '\n' ' ')" "... as many rows and runs as Snakemake 7.21"
else
    n=$((n + 1)); echo "ok $n # SKIP snakemake is not installed"
fi
printf 'rule x:\n    output: repeat("o.txt", 2)\n    shell: "touch {output}"\n' > rep/bad.smk
(cd rep && "$KRAIT" lint -s bad.smk > ../rbad.out 2>&1); [ $? -ne 0 ] && grep -q "bad.smk:2:.*repeat() belongs in benchmark:" rbad.out
check $? "... and repeat() elsewhere is an error that says where it belongs"
echo "1..$n"
