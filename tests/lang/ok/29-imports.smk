from snakemake.utils import min_version
from snakemake.io import expand as ex, temp
import glob
min_version("7.0")
G = sorted(glob.glob("tables/*.tsv"))
rule r:
    output: temp("o")
    params: e=ex("{a}", a=[1, 2]), g=G
    shell: "true"
