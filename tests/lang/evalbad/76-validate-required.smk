from snakemake.utils import validate
config["threads"] = 8
validate(config, "modschemas/config.schema.yaml")
