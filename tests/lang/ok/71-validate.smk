from snakemake.utils import validate
config["samples"] = "modschemas/samples.tsv"
config["ref"] = {"genome": "genome.fa"}
validate(config, "modschemas/config.schema.yaml")
samples = read_table(config["samples"], index="sample")
validate(samples, "modschemas/samples.schema.yaml")
rows = read_table(config["samples"])
validate(rows, "modschemas/samples.schema.yaml", set_default=False)
rule r:
    output: "o"
    params:
        threads=config["threads"], build=config["ref"]["build"], steps=config["steps"],
        units=[samples[s]["unit"] for s in samples], raw_units=[r["unit"] for r in rows]
    shell: "true"
