from snakemake.utils import validate
config["ref"] = {"genome": "hg38.fa.gz"}
validate(config, "modschemas/config.schema.yaml")
