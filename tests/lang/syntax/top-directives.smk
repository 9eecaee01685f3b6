configfile: "config/config.yaml"
include: "rules/common.smk"
workdir: "work"
wildcard_constraints:
    sample="[A-Z]+",
    n="\d+"
localrules: all, clean
ruleorder: a > b > c
ruleorder: single
container: "docker://continuumio/miniconda3"
conda: "envs/global.yaml"
singularity: "docker://ubuntu"
envvars: "HOME", "TMPDIR"
pepfile: "pep/config.yaml"
report: "report/workflow.rst"
