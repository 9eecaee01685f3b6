from snakemake.utils import validate
samples = read_table("modschemas/samples.tsv", index="sample")
validate(samples, "modschemas/samples.schema.yaml")
