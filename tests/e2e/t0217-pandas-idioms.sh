#!/bin/sh
# t0217-pandas-idioms.sh - the sample-sheet lines of the snakemake-workflows
# templates (rna-seq-star-deseq2, dna-seq-gatk-variant-calling ...) load
# and plan: samples.index.names = [...], units.index =
# units.index.set_levels([i.astype(str) for i in units.index.levels]),
# units.loc[(sample, unit), [...]].dropna(), .sort_index(), .shape, columns
# as attributes (samples.condition), index.get_level_values(), expand() over
# units.itertuples() with {u.sample} fields (Python's format fields:
# attributes and [index]). Attribute assignment stays refused on anything
# but these pandas objects.
set -u
. "$KR_SRCDIR/tests/e2e/tap.sh"
T=$(mktemp -d) && cd "$T" || exit 1
echo "# in $T"
mkdir -p config
printf 'sample\tcondition\nA\ttreated\nB\tuntreated\n' > config/samples.tsv
printf 'sample\tunit\tfq1\tfq2\nA\t1\tA.1.fq\tA.2.fq\nB\t1\tB.1.fq\t\nB\t2\tB2.1.fq\t\n' > config/units.tsv
touch A.1.fq A.2.fq B.1.fq B2.1.fq
cat > Snakefile <<'SNAKE'
import pandas as pd
samples = pd.read_csv("config/samples.tsv", sep="\t", dtype=str).set_index("sample", drop=False)
samples.index.names = ["sample_id"]
units = pd.read_csv("config/units.tsv", dtype=str, sep="\t").set_index(["sample", "unit"], drop=False)
units.index = units.index.set_levels([i.astype(str) for i in units.index.levels])
print("names", samples.index.names)
print("levels", [l.tolist() for l in units.index.levels])
print("index", units.index.tolist())
rev = pd.read_csv("config/units.tsv", dtype=str, sep="\t").set_index("fq1", drop=False)
print("sorted", rev.sort_index().index.tolist(), rev.sort_index(ascending=False).index.tolist())
print("shape", units.shape, units.loc["B"].shape)
print("attr", samples.condition.tolist(), samples[samples.condition == "treated"].index.tolist())
print("levelvals", units.index.get_level_values(0).tolist(), units.index.get_level_values("unit").unique().tolist())

def get_fastq(wildcards):
    fastqs = units.loc[(wildcards.sample, wildcards.unit), ["fq1", "fq2"]].dropna()
    if len(fastqs) == 2:
        return {"r1": fastqs.fq1, "r2": fastqs.fq2}
    return {"r1": fastqs.fq1}

rule all:
    input: expand("trimmed/{u.sample}-{u.unit}.txt", u=units.itertuples()),
           expand("first/{r[0]}.txt", r=[("x", 1), ("y", 2)])
rule trim:
    input: unpack(get_fastq)
    output: "trimmed/{sample}-{unit}.txt"
    shell: "echo {input:q} > {output:q}"
rule first:
    output: "first/{name}.txt"
    shell: "touch {output:q}"
SNAKE
"$KRAIT" run -q -c 1 > run.out 2>&1; check $? "the template's sample-sheet lines load and run"
same "$(grep '^names' run.out)" "names ['sample_id']" "index.names can be set"
same "$(grep '^levels' run.out)" "levels [['A', 'B'], ['1', '2']]" "levels are the sorted labels of each level"
same "$(grep '^index' run.out)" "index [('A', '1'), ('B', '1'), ('B', '2')]" "set_levels(astype(str)) keeps the labels"
same "$(grep '^sorted' run.out)" "sorted ['A.1.fq', 'B.1.fq', 'B2.1.fq'] ['B2.1.fq', 'B.1.fq', 'A.1.fq']" "sort_index(), ascending=False"
same "$(grep '^shape' run.out)" "shape (3, 4) (2, 4)" "shape of a frame and of a partial-key sub-table"
same "$(grep '^attr' run.out)" "attr ['treated', 'untreated'] ['A']" "a column as an attribute (samples.condition)"
same "$(grep '^levelvals' run.out)" "levelvals ['A', 'B', 'B'] ['1', '2']" "get_level_values by position and by name"
same "$(cat trimmed/A-1.txt trimmed/B-1.txt trimmed/B-2.txt | tr '\n' ' ')" "A.1.fq A.2.fq B.1.fq B2.1.fq " \
     "loc[(sample, unit), cols].dropna() after the new index"
ls first/x.txt first/y.txt > /dev/null 2>&1; check $? "expand() with {r[0]} fields"
printf 'x = [1]\nx.y = 2\n' > Snakefile.bad
"$KRAIT" lint -s Snakefile.bad > bad.out 2>&1; [ $? -ne 0 ]; check $? "attribute assignment on a list fails"
grep -q "^Snakefile.bad:2:1: error: cannot assign to attribute 'y'" bad.out; check $? "... where it is written"
printf 'import pandas as pd\ndf = pd.read_csv("config/samples.tsv", sep="\\t")\ndf.shape = 2\n' > Snakefile.bad2
"$KRAIT" lint -s Snakefile.bad2 > bad2.out 2>&1; [ $? -ne 0 ]; check $? "setting another DataFrame attribute fails"
grep -q "krait does not support setting DataFrame.shape yet" bad2.out; check $? "... naming it"
echo "1..$n"
