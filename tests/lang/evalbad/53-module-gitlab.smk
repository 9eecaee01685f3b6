module m:
    snakefile: gitlab("group/pipeline", path="workflow/Snakefile", branch="main", host="gitlab.example.org")

use rule * from m
