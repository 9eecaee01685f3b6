import re, json, yaml, math, itertools, functools, collections, copy, string, textwrap
from itertools import product
SAMPLE_RE = re.compile(r"(?P<sample>[A-Za-z0-9]+)_(?P<lane>L\d{3})_R(?P<read>[12])\.fastq\.gz")
files = ["s1_L001_R1.fastq.gz", "s1_L001_R2.fastq.gz", "s2_L002_R1.fastq.gz", "notes.txt"]
hits = [SAMPLE_RE.fullmatch(f) for f in files]
samples = sorted(set(m.group("sample") for m in hits if m))
lanes = {m.group("sample"): m.group("lane") for m in hits if m}
meta = json.loads('{"run": "R7", "depth": [10, 20]}')
opts = yaml.safe_load("trim: {qual: 20, adapters: [AGATC, CTGTC]}\n")
base = {"mem": 1000, "extra": {"tmp": "/tmp"}}
deep = copy.deepcopy(base)
deep["extra"]["tmp"] = "/scratch"
pairs = list(product(samples, ["1", "2"]))
rule r:
    output: "o"
    params:
        samples=samples, lanes=lanes, run=meta["run"], depth=sum(meta["depth"]),
        qual=opts["trim"]["qual"], adapters=",".join(opts["trim"]["adapters"]),
        tmp=base["extra"]["tmp"], mem=math.ceil(base["mem"] * 1.5 / 1024),
        pairs=["%s_R%s" % p for p in pairs],
        combos=[a + b for a, b in itertools.combinations("ACG", 2)],
        counts=collections.Counter(m.group("sample") for m in hits if m),
        clean=re.sub(r"[^A-Za-z0-9]+", "_", "my sample (v2).bam"),
        parts=re.split(r"\s*,\s*", "a , b,c"),
        header=textwrap.dedent("""
            #!/bin/sh
            set -e
        """).strip(),
        letters=string.ascii_uppercase[:3],
        dumped=json.dumps({"b": 1, "a": [True, None]}, sort_keys=True),
        scaled=functools.partial(lambda f, x: f * x, 3)(7)
    shell: "true"
