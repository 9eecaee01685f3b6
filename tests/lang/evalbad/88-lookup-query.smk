samples = {"a": {"fq": "a.fq"}}
fq = lookup(query="sample == 'a'", within=samples)
