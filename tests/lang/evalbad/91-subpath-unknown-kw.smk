stem = subpath("data/a.fq", strip_suffix=".fq", dirname=True)
