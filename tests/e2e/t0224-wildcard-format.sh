#!/bin/sh
# t0224-wildcard-format.sh - the job's wildcards are applied where Snakemake
# 7.21 applies them, and the consumer's wildcards are preferred where
# Snakemake prefers them:
#  - a file name an input function returns (a string, a rules.X.output
#    pattern, the values of an unpack()ed dict) is an IOFile formatted with
#    the job's wildcards (rules.py concretize_iofile);
#  - a params string, and the strings of a params list, are formatted too
#    (concretize_param), a function's result is not;
#  - only what io.py's _wildcard_regex finds is replaced: {name} and
#    {name,regex}; {wildcards.x} and {x:>3} stay, {{x}} becomes {VALUE}; a
#    {name} that is not a wildcard of the job is an error (WildcardError);
#  - a producer takes the consumer's wildcard values when its output
#    formatted with them is the requested file and they pass its constraints
#    (Rule.get_wildcards with dag.py's wildcards_dict), else the regex match
#    (test_match_by_wildcard_names).
# Each workflow also runs under /usr/bin/snakemake 7.21 when it is installed,
# and the files both write are compared.
set -u
. "$KR_SRCDIR/tests/e2e/tap.sh"
T=$(mktemp -d) && cd "$T" || exit 1
echo "# in $T"

SMK=
if [ -x /usr/bin/snakemake ] && /usr/bin/snakemake --version 2>/dev/null | grep -q '^7\.21\.'; then
    SMK=/usr/bin/snakemake
fi

# both NAME: run krait in NAME and snakemake in a copy of it; krait's exit
# status is the result, the comparison a test point of its own
both() {
    cp -R "$1" "$1.smk"
    (cd "$1" && timeout 60 "$KRAIT" run -c 1 -q > ../$1.out 2>&1)
    st=$?
    sed 's/^/#   /' $1.out | tail -n 5
    return $st
}
compare() {
    if [ -n "$SMK" ]; then
        (cd "$1.smk" && timeout 300 $SMK -c 1 -q > ../$1.smk.out 2>&1)
        diff -r -x .krait -x .snakemake "$1" "$1.smk" > $1.diff 2>&1
        check $? "$1: krait wrote what snakemake 7.21 wrote"
        sed 's/^/#   /' $1.diff | head -n 10
    else
        n=$((n + 1)); echo "ok $n # SKIP snakemake 7.21 is not installed"
    fi
}

# ---- params ----------------------------------------------------------------
mkdir params && cat > params/Snakefile <<'SNAKE'
rule all:
    input: "out/x1.txt"
rule a:
    output: "out/{dir}{n,\d}.txt"
    params:
        lambda wildcards: "-f",
        dir="{dir}",
        l=["a{n}b", 3, "{{dir}}", "{ dir , [a-z]+ }", "{wildcards.dir}", "{dir:>3}", "{", "}"],
        fn=lambda wc: "{dir}",
        d={"k": "{dir}"}
    shell:
        "echo '{params[0]}|{params.dir}|{params.fn}|{params.d[k]}' > {output}; "
        "echo '{params.l[0]}|{params.l[1]}|{params.l[2]}|{params.l[3]}|{params.l[4]}' >> {output}; "
        "echo '{params.l[5]}|{params.l[6]}|{params.l[7]}' >> {output}"
SNAKE
both params; check $? "params: krait run"
same "$(cat params/out/x1.txt 2>/dev/null)" "$(printf '%s\n' '-f|x|{dir}|{dir}' \
    'a1b|3|{x}|x|{wildcards.dir}' '{dir:>3}|{|}')" \
    "... strings and list strings formatted, functions' results and dicts not, as Snakemake"
compare params

mkdir rm && cat > rm/Snakefile <<'SNAKE'
rule all:
    input: "gone/d.txt"
rule mk:
    output: directory("d")
    shell: "mkdir -p d && touch d/f"
rule rm:
    input: "{dir}"
    output: "gone/{dir}.txt"
    params: lambda wildcards: "-f", dir="{dir}"
    shell: "rm -r {params} && test ! -e {params.dir} && echo {params.dir} > {output}"
SNAKE
both rm; check $? "params: rm {params.dir} removes the directory named by the wildcard"
same "$(cat rm/gone/d.txt 2>/dev/null)" "d" "... and says which"
compare rm

# the params of each job differ now: the rerun check must not take one
# job's params for the whole rule's
mkdir ph && cat > ph/Snakefile <<'SNAKE'
rule all:
    input: "o/a.txt", "o/b.txt"
rule a:
    output: "o/{s}.txt"
    params: p="{s}", q=["{s}", 1]
    shell: "echo {params.p} {params.q} > {output}"
SNAKE
both ph; check $? "params per job: krait run"
(cd ph && "$KRAIT" plan 2>&1) | grep -q "Nothing to be done"
check $? "... then nothing to be done (no 'params changed')"
sed -i 's/p="{s}"/p="{s}z"/' ph/Snakefile
[ "$(cd ph && "$KRAIT" plan 2>&1 | grep -c 'params changed')" = 2 ]
check $? "... and a changed params string reruns both jobs"

mkdir perr && cat > perr/Snakefile <<'SNAKE'
rule all:
    input: "p/a.txt"
rule a:
    output: "p/{s}.txt"
    params: p="{threads}"
    shell: "echo {params.p} > {output}"
SNAKE
both perr
test $? -ne 0 && grep -q "wildcards in params cannot be determined from output files: 'threads'" perr.out
check $? "params: a {name} that is no wildcard is an error, as Snakemake's WildcardError"
[ ! -e perr/p/a.txt ]; check $? "... and nothing is written"

# ---- input functions -------------------------------------------------------
mkdir infn && cat > infn/Snakefile <<'SNAKE'
rule all:
    input: "res/a.txt", "res/b.txt"
def f(wc):
    return "post/{sample}.txt"
def g(wc):
    return {"x": "pre/{sample}.txt", "y": ["pre/{sample}.txt", "pre/{sample}.2.txt"]}
rule post:
    input: unpack(g)
    output: "post/{sample}.txt"
    shell: "cat {input.x} {input.y} > {output}"
rule pre:
    output: "pre/{sample}.txt"
    shell: "echo {wildcards.sample} > {output}"
rule pre2:
    output: "pre/{sample}.2.txt"
    shell: "echo {wildcards.sample}2 > {output}"
rule res:
    input: f
    output: "res/{sample}.txt"
    shell: "cat {input} > {output}"
ruleorder: pre2 > pre
SNAKE
both infn; check $? "input function: krait run"
same "$(cat infn/res/a.txt infn/res/b.txt 2>/dev/null | tr '\n' ' ')" "a a a2 b b b2 " \
    "... its strings, and an unpack()ed dict's, formatted with the job's wildcards"
compare infn

# Snakemake's test_issue956: the function returns rules.make_A.output.result_A
mkdir i956 && cat > i956/Snakefile <<'SNAKE'
rule all:
    input:
        expand(
            "f_{result_type}.txt",
            result_type=["A", "B"]),


rule make_A:
    output:
        result_A = "A_{result_type}.txt",
    shell:
        """
        echo "A" > {output.result_A}
        """


rule make_B:
    output:
        result_B = "B_{result_type}.txt",
    shell:
        """
        echo "B" > {output.result_B}
        """


def source_result_type(wildcards):
    if wildcards.result_type == "A":
        return rules.make_A.output.result_A
    elif wildcards.result_type == "B":
        return rules.make_B.output.result_B
    else:
        raise NotImplementedError(f"{wildcards.result_type} not possible.\n")


rule generate_final_results:
    input:
        file_in = source_result_type,
    output:
        file_out = "f_{result_type}.txt",
    shell:
        """
        cat {input.file_in} > {output.file_out}
        """
SNAKE
both i956; check $? "test_issue956: krait run"
same "$(cd i956 && ls *.txt | tr '\n' ' '; cat f_A.txt f_B.txt | tr '\n' ' ')" \
    "A_A.txt B_B.txt f_A.txt f_B.txt A B " "... rules.X.output from a function is formatted: A_A.txt, not A_{result_type}.txt"
compare i956

mkdir ierr && cat > ierr/Snakefile <<'SNAKE'
rule all:
    input: "r/a.txt"
rule r:
    input: lambda wc: "x/{nope}.txt"
    output: "r/{sample}.txt"
    shell: "cat {input} > {output}"
SNAKE
both ierr
test $? -ne 0 && grep -q "wildcards in input files cannot be determined from output files: 'nope'" ierr.out
check $? "input function: a {name} that is no wildcard is an error naming it"

# ---- the consumer's wildcards for the producer ----------------------------------
# Snakemake's test_match_by_wildcard_names
mkdir mbw && cat > mbw/Snakefile <<'SNAKE'
rule all:
    input:
        expand("test.{sample}.{read}.fq", sample=["a"], read=["r1"]),


rule a:
    input:
        "foo.{sample}{read}.fq",
    output:
        "test.{sample}.{read}.fq",
    shell:
        "touch {output}"


rule b:
    output:
        "foo.{sample}{read}.fq",
    run:
        if "r" in wildcards.sample:
            raise ValueError("sample name contains 'r'")
        with open(output[0], "w") as f:
            f.write("foo")
SNAKE
both mbw; check $? "test_match_by_wildcard_names: krait run (b gets sample=a, read=r1)"
[ -e mbw/test.a.r1.fq ] && [ "$(cat mbw/foo.ar1.fq 2>/dev/null)" = foo ]
check $? "... both files written"
compare mbw

# the values must pass the producer's constraints (re.match: a prefix is
# enough, as in Snakemake); else the regex decides
for c in 'sample' 'sample,ar' 'sample,[a-z]' 'sample,[a-z]+'; do
    d=c$(echo "$c" | tr -c 'a-z\n' '_')
    mkdir "$d" && cat > "$d/Snakefile" <<SNAKE
rule all:
    input: "test.a.r1.fq", "test.ab.r1.fq"
rule a:
    input: "foo.{sample}{read}.fq"
    output: "test.{sample}.{read}.fq"
    shell: "cat {input} > {output}"
rule b:
    output: "foo.{$c}{read}.fq"
    shell: "echo {wildcards.sample} {wildcards.read} > {output}"
SNAKE
done
sed -i 's/, "test.ab.r1.fq"//' csample_ar/Snakefile    # foo.abr1.fq: no {sample,ar} makes it
both csample; check $? "no constraint: krait run"
same "$(cat csample/test.a.r1.fq csample/test.ab.r1.fq 2>/dev/null | tr '\n' ' ')" "a r1 ab r1 " \
    "... the consumer's values"
compare csample
both csample_ar; check $? "{sample,ar}: krait run"
same "$(cat csample_ar/test.a.r1.fq 2>/dev/null)" "ar 1" "... a=sample fails the constraint: the regex's ar, 1"
compare csample_ar
both csample__a_z_; check $? "{sample,[a-z]}: krait run"
same "$(cat csample__a_z_/test.a.r1.fq csample__a_z_/test.ab.r1.fq 2>/dev/null | tr '\n' ' ')" \
    "a r1 ab r1 " "... 'ab' passes [a-z] as Python's re.match passes it"
compare csample__a_z_
both csample__a_z__; check $? "{sample,[a-z]+}: krait run"
same "$(cat csample__a_z__/test.a.r1.fq 2>/dev/null)" "a r1" "... the consumer's values, not the greedy regex's"
compare csample__a_z__

echo "1..$n"
