#!/bin/sh
# t0221-pandas-more.sh - more of the pandas that sample-sheet code writes
# (issue 11): head, fillna, drop_duplicates (NaN cells equal), masks
# combined with & | ~, < <= > >= on a Series (NaN False), isin, the .str accessor (contains with regex,
# startswith, endswith, replace, split and .str[0] / .str.get(-1), lower,
# len), astype(int/float), .values, .empty, reset_index (one and several
# levels, drop=True), groupby iteration (sorted keys), .groups, .ngroups,
# get_group, pd.concat (union of columns, NaN where missing, ignore_index),
# merge / pd.merge (inner keeps the left keys' order, left keeps the left
# rows, _x/_y suffixes). What krait prints must equal WANT below, which is
# what pandas 1.5 prints; when a python3 with pandas is installed (Debian's
# /usr/bin/python3 with python3-pandas) it is run too and must agree.
set -u
. "$KR_SRCDIR/tests/e2e/tap.sh"
T=$(mktemp -d) && cd "$T" || exit 1
echo "# in $T"
printf 'sample\tunit\tcondition\treads\tfq\nA\t1\ttreated\t100\tA_1.fq\nB\t1\tuntreated\t\tB_1.fq\nA\t2\ttreated\t300\tA_2.fq\nC\t1\tcontrol\t50\tctl_C.fq.gz\nB\t1\tuntreated\t\tB_1.fq\n' > units.tsv
printf 'sample\tbatch\nA\tb1\nB\tb2\nD\tb3\n' > meta.tsv
cat > pre.py <<'PY'
import pandas as pd
u = pd.read_csv("units.tsv", sep="\t", dtype=str)
print("head", u.head(2)["sample"].tolist(), len(u.head()), len(u.head(-2)))
print("dedup", len(u.drop_duplicates()), u.drop_duplicates(subset=["sample"])["unit"].tolist(), u.drop_duplicates("sample", keep="last").index.tolist())
f = u.fillna("0")
print("fillna", f["reads"].tolist(), u["reads"].fillna("none").tolist())
print("mask", u[(u["condition"] == "treated") & (u["unit"] == "2")]["fq"].tolist())
print("or", u[(u["sample"] == "C") | (u["unit"] == "2")].index.tolist())
print("not", u[~u["sample"].isin(["A", "B"])]["sample"].tolist())
print("isin", u["sample"].isin({"A"}).tolist())
print("contains", u[u["fq"].str.contains("ctl")]["sample"].tolist(), u["fq"].str.contains(r"_\d\.fq$").tolist())
print("starts", u["fq"].str.startswith("A").tolist(), u["fq"].str.endswith(".gz").tolist())
print("replace", u["fq"].str.replace(".fq", ".fastq", regex=False).tolist())
print("split", u["fq"].str.split("_").tolist(), u["fq"].str.split("_").str[0].tolist(), u["fq"].str.split("_").str.get(-1).tolist())
print("upper", u["sample"].str.lower().tolist(), u["fq"].str.len().tolist())
print("astype", u["unit"].astype(int).tolist(), u["unit"].astype(float).tolist(), sum(u["unit"].astype(int)))
print("values", list(u["sample"].values), u.empty, u[u["sample"] == "Z"].empty, u["sample"].empty)
r = u.set_index(["sample", "unit"], drop=False)
x = u.set_index("fq").reset_index()
print("reset", x.columns.tolist(), x.index.tolist(), x["fq"].tolist())
print("reset2", u.set_index("fq", drop=True).reset_index(drop=True).columns.tolist())
print("reset3", u.set_index(["sample", "unit"]).reset_index().columns.tolist())
g = u.groupby("sample")
for name, grp in g:
    print("group", name, grp["fq"].tolist(), grp.index.tolist())
print("groups", {k: list(v) for k, v in g.groups.items()}, len(g), g.ngroups)
print("get_group", g.get_group("B")["unit"].tolist())
for (s, un), grp in u.groupby(["sample", "unit"]):
    print("g2", s, un, len(grp))
m = pd.read_csv("meta.tsv", sep="\t", dtype=str)
c = pd.concat([u, m])
print("concat", c.columns.tolist(), len(c), c.index.tolist(), c["batch"].isnull().tolist())
print("concat2", pd.concat([m, m], ignore_index=True).index.tolist())
j = u.merge(m, on="sample")
print("merge", j.columns.tolist(), j["batch"].tolist(), j.index.tolist())
j2 = pd.merge(u, m, on="sample", how="left")
print("mergeleft", j2["sample"].tolist(), j2["batch"].fillna("-").tolist())
j3 = pd.merge(u, u, on="fq")
print("merge_xy", j3.columns.tolist()[:4], len(j3))
n = pd.read_csv("units.tsv", sep="\t")
print("cmp", n[n["reads"] > 50]["sample"].tolist(), n[(n["reads"] >= 100) | n["reads"].isnull()]["fq"].tolist(), (n["reads"] < 200).tolist(), (n["unit"] <= 1).tolist())
print("cmpstr", (u["sample"] >= "B").tolist(), n[~(n["reads"] > 50)].index.tolist())
PY
cat > want.out <<'OUT'
head ['A', 'B'] 5 3
dedup 4 ['1', '1', '1'] [2, 3, 4]
fillna ['100', '0', '300', '50', '0'] ['100', 'none', '300', '50', 'none']
mask ['A_2.fq']
or [2, 3]
not ['C']
isin [True, False, True, False, False]
contains ['C'] [True, True, True, False, True]
starts [True, False, True, False, False] [False, False, False, True, False]
replace ['A_1.fastq', 'B_1.fastq', 'A_2.fastq', 'ctl_C.fastq.gz', 'B_1.fastq']
split [['A', '1.fq'], ['B', '1.fq'], ['A', '2.fq'], ['ctl', 'C.fq.gz'], ['B', '1.fq']] ['A', 'B', 'A', 'ctl', 'B'] ['1.fq', '1.fq', '2.fq', 'C.fq.gz', '1.fq']
upper ['a', 'b', 'a', 'c', 'b'] [6, 6, 6, 11, 6]
astype [1, 1, 2, 1, 1] [1.0, 1.0, 2.0, 1.0, 1.0] 6
values ['A', 'B', 'A', 'C', 'B'] False True False
reset ['fq', 'sample', 'unit', 'condition', 'reads'] [0, 1, 2, 3, 4] ['A_1.fq', 'B_1.fq', 'A_2.fq', 'ctl_C.fq.gz', 'B_1.fq']
reset2 ['sample', 'unit', 'condition', 'reads']
reset3 ['sample', 'unit', 'condition', 'reads', 'fq']
group A ['A_1.fq', 'A_2.fq'] [0, 2]
group B ['B_1.fq', 'B_1.fq'] [1, 4]
group C ['ctl_C.fq.gz'] [3]
groups {'A': [0, 2], 'B': [1, 4], 'C': [3]} 3 3
get_group ['1', '1']
g2 A 1 1
g2 A 2 1
g2 B 1 2
g2 C 1 1
concat ['sample', 'unit', 'condition', 'reads', 'fq', 'batch'] 8 [0, 1, 2, 3, 4, 0, 1, 2] [True, True, True, True, True, False, False, False]
concat2 [0, 1, 2, 3, 4, 5]
merge ['sample', 'unit', 'condition', 'reads', 'fq', 'batch'] ['b1', 'b1', 'b2', 'b2'] [0, 1, 2, 3]
mergeleft ['A', 'B', 'A', 'C', 'B'] ['b1', 'b2', 'b1', '-', 'b2']
merge_xy ['sample_x', 'unit_x', 'condition_x', 'reads_x'] 7
cmp ['A', 'A'] ['A_1.fq', 'B_1.fq', 'A_2.fq', 'B_1.fq'] [True, False, False, True, False] [True, True, False, True, True]
cmpstr [False, True, False, True, True] [1, 3, 4]
OUT
(cat pre.py; printf 'rule all:\n    input: []\n') > Snakefile
"$KRAIT" lint > lint.out 2> lint.err; check $? "the pandas idioms load"
sed -n '/^1 rule in/,$!p' lint.out > krait.out
cat lint.err >> krait.out
same "$(cat krait.out)" "$(cat want.out)" "krait prints what pandas 1.5 prints"
PY=
for p in python3 /usr/bin/python3; do
    if "$p" -c 'import pandas' 2>/dev/null; then PY=$p; break; fi
done
if [ -n "$PY" ]; then
    "$PY" pre.py > py.out 2>&1
    same "$(cat krait.out)" "$(cat py.out)" "and what $PY with pandas $("$PY" -c 'import pandas; print(pandas.__version__)') prints"
else
    echo "ok $((n + 1)) # SKIP no python3 with pandas (apt-get install python3-pandas)"; n=$((n + 1))
fi
echo "1..$n"
