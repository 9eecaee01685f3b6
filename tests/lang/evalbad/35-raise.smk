def check_sample(name):
    if not name.startswith("S"):
        raise ValueError(f"sample name {name!r} must start with 'S'")
    return name

SAMPLES = [check_sample(s) for s in ["S1", "T2"]]
