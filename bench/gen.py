#!/usr/bin/env python3
"""Write one benchmark workflow, in the same three forms for krait/Snakemake, make and ninja.

    bench/gen.py --shape fan|chain|sweep --n N --out DIR [--no-inputs]

DIR receives:
  Snakefile    plain Snakemake: a first rule `all`, rules with input/output/shell,
               wildcards and expand() -- nothing else (it is what krait must read)
  Makefile     GNU make with pattern rules
  build.ninja  every edge spelled out, as a ninja generator would write it
  clean.sh     puts DIR back to "nothing built" cheaply: output folders and tool
               state (.snakemake, .krait, .ninja_log ...) are renamed into trash/,
               which the caller deletes later, outside any timing
  meta.json    shape, n, job count, final target, folders
and the input files.

Shapes (each form runs the same commands on the same files):
  fan    in/{i}.txt -> mid/{i}.txt with cp, for i < N; then a gather -> all.txt.
         N + 1 jobs.
  chain  S = N // 3 samples, three steps each:
         raw/{s}.txt -cp-> a/{s}.txt -cat>-> b/{s}.txt -cp-> c/{s}.txt;
         then a gather of c/ -> all.txt.  3S + 1 jobs.
  sweep  a grid lr x depth x seed whose product is N (as cubic as N allows);
         each point writes results/lr{lr}_d{depth}_s{seed}.json from
         data/train.csv with echo; then a gather -> summary.jsonl.  N + 1 jobs.

The gather commands read their folder with `find DIR -name '*.EXT' | sort |
xargs cat` instead of listing every input on the command line (Linux limits one
argument to 128 KiB), but every form still declares each input of the gather.
Output folders are created here and by clean.sh, because make does not create
them. Python 3 standard library only.
"""

import argparse
import json
import os
import sys

SHAPES = ("fan", "chain", "sweep")


def gather(folder, ext, out):
    """The shell command that concatenates FOLDER/*.EXT in sorted order into OUT."""
    return f"find {folder} -name '*.{ext}' | sort | xargs cat > {out}"


def grid3(n):
    """Split n into (a, b, c) with a*b*c == n, a >= b >= c, the spread a-c minimal."""
    best = (n, 1, 1)
    c = 1
    while c ** 3 <= n:
        if n % c == 0:
            m = n // c
            b = c
            while b * b <= m:
                if m % b == 0 and m // b - c < best[0] - best[2]:
                    best = (m // b, b, c)
                b += 1
        c += 1
    return best


class Workflow:
    """The three forms of one workflow plus what clean.sh and meta.json need."""

    def __init__(self, jobs, target, outdirs, input_dir, inputs):
        self.jobs = jobs            # number of jobs in the DAG
        self.target = target        # the final file
        self.outdirs = outdirs      # folders holding intermediate outputs
        self.input_dir = input_dir  # folder holding the inputs
        self.inputs = inputs        # callable yielding (name, content)
        self.snakefile = self.makefile = ""
        self.ninja = []             # lines of build.ninja
        self.extra = {}


def make_fan(n):
    wf = Workflow(n + 1, "all.txt", ["mid"], "in",
                  lambda: ((f"{i}.txt", f"{i}\n") for i in range(n)))
    wf.snakefile = f'''# fan: {n} independent cp jobs + 1 gather = {n + 1} jobs

rule all:
    input: "all.txt"

rule gather:
    input: expand("mid/{{i}}.txt", i=range({n}))
    output: "all.txt"
    shell: "{gather("mid", "txt", "{output}")}"

rule copy:
    input: "in/{{i}}.txt"
    output: "mid/{{i}}.txt"
    shell: "cp {{input}} {{output}}"
'''
    wf.makefile = f'''# fan: {n} independent cp jobs + 1 gather = {n + 1} jobs
MAKEFLAGS += --no-builtin-rules
.SUFFIXES:
IDS := $(shell seq 0 {n - 1})

all.txt: $(IDS:%=mid/%.txt)
\t{gather("mid", "txt", "$@")}

mid/%.txt: in/%.txt
\tcp $< $@
'''
    nj = [f"# fan: {n} independent cp jobs + 1 gather = {n + 1} jobs",
          "rule cp", "  command = cp $in $out",
          "rule gather", "  command = " + gather("mid", "txt", "$out")]
    nj += [f"build mid/{i}.txt: cp in/{i}.txt" for i in range(n)]
    nj.append("build all.txt: gather " + " ".join(f"mid/{i}.txt" for i in range(n)))
    wf.ninja = nj
    return wf


def make_chain(n):
    s = n // 3
    jobs = 3 * s + 1
    wf = Workflow(jobs, "all.txt", ["a", "b", "c"], "raw",
                  lambda: ((f"{k}.txt", f"sample {k}\n") for k in range(s)))
    steps = [("step_a", "raw", "a", "cp {input} {output}", "cp $< $@", "cp"),
             ("step_b", "a", "b", "cat {input} > {output}", "cat $< > $@", "cat"),
             ("step_c", "b", "c", "cp {input} {output}", "cp $< $@", "cp")]
    head = f"# chain: {s} samples x 3 steps (raw -> a -> b -> c) + 1 gather = {jobs} jobs"
    smk = [head, "", "rule all:", '    input: "all.txt"', "",
           "rule gather:", f'    input: expand("c/{{s}}.txt", s=range({s}))',
           '    output: "all.txt"', f'    shell: "{gather("c", "txt", "{output}")}"']
    mk = [head, "MAKEFLAGS += --no-builtin-rules", ".SUFFIXES:",
          f"IDS := $(shell seq 0 {s - 1})", "",
          "all.txt: $(IDS:%=c/%.txt)", "\t" + gather("c", "txt", "$@")]
    for name, src, dst, sh, mkcmd, _ in steps:
        smk += ["", f"rule {name}:", f'    input: "{src}/{{s}}.txt"',
                f'    output: "{dst}/{{s}}.txt"', f'    shell: "{sh}"']
        mk += ["", f"{dst}/%.txt: {src}/%.txt", "\t" + mkcmd]
    wf.snakefile = "\n".join(smk) + "\n"
    wf.makefile = "\n".join(mk) + "\n"
    nj = [head, "rule cp", "  command = cp $in $out",
          "rule cat", "  command = cat $in > $out",
          "rule gather", "  command = " + gather("c", "txt", "$out")]
    for k in range(s):
        for _, src, dst, _, _, rule in steps:
            nj.append(f"build {dst}/{k}.txt: {rule} {src}/{k}.txt")
    nj.append("build all.txt: gather " + " ".join(f"c/{k}.txt" for k in range(s)))
    wf.ninja = nj
    return wf


def make_sweep(n):
    a, b, c = grid3(n)
    lrs = [f"{(k + 1) / 10000:.4f}" for k in range(a)]
    depths = range(1, b + 1)
    seeds = range(c)
    jobs = n + 1
    head = f"# sweep: {a} lr x {b} depth x {c} seed = {n} runs + 1 gather = {jobs} jobs"
    csv = "x,y\n" + "".join(f"{k},{k * k % 11}\n" for k in range(100))
    wf = Workflow(jobs, "summary.jsonl", ["results"], "data", lambda: [("train.csv", csv)])
    wf.extra["grid"] = {"lr": a, "depth": b, "seed": c}
    lr_list = ", ".join(f'"{x}"' for x in lrs)
    # The values never contain "_d" or "_s", so the default wildcard regex
    # splits every name one way only; no wildcard_constraints are needed.
    wf.snakefile = f'''{head}

rule all:
    input: "summary.jsonl"

rule gather:
    input: expand("results/lr{{lr}}_d{{depth}}_s{{seed}}.json", lr=[{lr_list}], depth=range(1, {b + 1}), seed=range({c}))
    output: "summary.jsonl"
    shell: "{gather("results", "json", "{output}")}"

rule train:
    input: "data/train.csv"
    output: "results/lr{{lr}}_d{{depth}}_s{{seed}}.json"
    shell: """echo '{{{{"lr": {{wildcards.lr}}, "depth": {{wildcards.depth}}, "seed": {{wildcards.seed}}}}}}' > {{output}}"""
'''
    wf.makefile = f'''{head}
MAKEFLAGS += --no-builtin-rules
.SUFFIXES:
LRS := {" ".join(lrs)}
DEPTHS := $(shell seq 1 {b})
SEEDS := $(shell seq 0 {c - 1})
RUNS := $(foreach l,$(LRS),$(foreach d,$(DEPTHS),$(foreach s,$(SEEDS),results/lr$(l)_d$(d)_s$(s).json)))
# the stem of results/lr%.json, e.g. "0.0003_d2_s1", as words: 0.0003 d2 s1
parts = $(subst _, ,$*)

summary.jsonl: $(RUNS)
\t{gather("results", "json", "$@")}

results/lr%.json: data/train.csv
\techo '{{"lr": $(word 1,$(parts)), "depth": $(patsubst d%,%,$(word 2,$(parts))), "seed": $(patsubst s%,%,$(word 3,$(parts)))}}' > $@
'''
    nj = [head, "rule train",
          """  command = echo '{"lr": $lr, "depth": $depth, "seed": $seed}' > $out""",
          "rule gather", "  command = " + gather("results", "json", "$out")]
    outs = []
    for lr in lrs:
        for d in depths:
            for sd in seeds:
                o = f"results/lr{lr}_d{d}_s{sd}.json"
                outs.append(o)
                nj += [f"build {o}: train data/train.csv",
                       f"  lr = {lr}", f"  depth = {d}", f"  seed = {sd}"]
    nj.append("build summary.jsonl: gather " + " ".join(outs))
    wf.ninja = nj
    return wf


MAKERS = {"fan": make_fan, "chain": make_chain, "sweep": make_sweep}

CLEAN = '''#!/bin/sh
# Reset this folder to "nothing built": rename outputs and tool state into
# trash/ (cheap even for 100k files); delete trash/ later, outside any timing.
cd "$(dirname "$0")" || exit 1
t=trash/$(date +%s%N).$$
mkdir -p "$t" || exit 1
for f in {moved}; do
    if [ -e "$f" ]; then mv "$f" "$t/" || exit 1; fi
done
mkdir -p {outdirs}
'''


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def generate(shape, n, out, inputs=True):
    """Write the workflow SHAPE of size N into folder OUT; return its meta dict."""
    wf = MAKERS[shape](n)
    os.makedirs(out, exist_ok=True)
    write(os.path.join(out, "Snakefile"), wf.snakefile)
    write(os.path.join(out, "Makefile"), wf.makefile)
    write(os.path.join(out, "build.ninja"), "\n".join(wf.ninja + [f"default {wf.target}"]) + "\n")
    state = [".snakemake", ".krait", ".ninja_log", ".ninja_deps"]
    clean = os.path.join(out, "clean.sh")
    write(clean, CLEAN.format(moved=" ".join(wf.outdirs + [wf.target] + state),
                              outdirs=" ".join(wf.outdirs)))
    os.chmod(clean, 0o755)
    for d in wf.outdirs:
        os.makedirs(os.path.join(out, d), exist_ok=True)
    count = 0
    if inputs:
        ind = os.path.join(out, wf.input_dir)
        os.makedirs(ind, exist_ok=True)
        for name, content in wf.inputs():
            write(os.path.join(ind, name), content)
            count += 1
    meta = {"shape": shape, "n": n, "jobs": wf.jobs, "target": wf.target,
            "outdirs": wf.outdirs, "input_dir": wf.input_dir, "input_files": count}
    meta.update(wf.extra)
    write(os.path.join(out, "meta.json"), json.dumps(meta, indent=1) + "\n")
    return meta


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shape", choices=SHAPES, required=True)
    ap.add_argument("--n", type=int, required=True, help="size: about N jobs (>= 3)")
    ap.add_argument("--out", required=True, help="folder to write (created)")
    ap.add_argument("--no-inputs", action="store_true", help="skip the input files")
    args = ap.parse_args(argv)
    if args.n < 3:
        ap.error("--n must be at least 3")
    meta = generate(args.shape, args.n, args.out, not args.no_inputs)
    print(json.dumps(meta), file=sys.stderr)


if __name__ == "__main__":
    main()
