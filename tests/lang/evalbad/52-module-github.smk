module dna_seq:
    snakefile:
        github("snakemake-workflows/dna-seq-gatk-variant-calling", path="workflow/Snakefile", tag="v2.1.1")
    config: config

use rule * from dna_seq as dna_seq_*
