#!/usr/bin/env python3
"""gen_rules.py - write a large synthetic Snakefile for timing `krait parse`.

Usage: bench/gen_rules.py [N] > big.smk      (N rules, default 10000)

Each rule looks like a real one: multi-line input/output with keyword
items, params with a lambda and an f-string, resources, a log, a
multi-line implicitly concatenated shell command; every tenth rule has a
run: block instead. Then time it with:  krait parse --time big.smk
"""
import sys


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    out = sys.stdout
    out.write('configfile: "config.yaml"\n')
    out.write('SAMPLES = [f"s{i}" for i in range(100)]\n\n')
    out.write("rule all:\n    input:\n        expand(\"out/r%d/{s}.txt\" % (" + str(n - 1) + "), s=SAMPLES)\n\n")
    for i in range(n):
        prev = f"out/r{i - 1}/{{sample}}.txt" if i else "data/{sample}.txt"
        out.write(f"rule step_{i}:\n")
        out.write(f"    input:\n        data=\"{prev}\",\n        ref=config.get(\"ref\", \"ref.fa\"),\n")
        out.write(f"    output:\n        \"out/r{i}/{{sample}}.txt\",\n        log=\"logs/r{i}/{{sample}}.log\",\n")
        out.write(f"    params:\n        tag=lambda wildcards: f\"{{wildcards.sample}}-{i}\",\n        n={i % 7},\n")
        out.write(f"    threads: {1 + i % 4}\n")
        out.write(f"    resources: mem_mb=lambda wc, attempt: 1000 * attempt\n")
        if i % 10 == 9:
            out.write("    run:\n        with open(output[0], \"w\") as f:\n"
                      "            f.write(open(input.data).read())\n\n")
        else:
            out.write("    shell:\n        \"tool --threads {threads} --tag {params.tag} \"\n"
                      "        \"{input.data} > {output[0]} 2> {output.log}\"\n\n")


if __name__ == "__main__":
    main()
