# python3-parity: the lines before the first rule run in python3 too, and
# print the same (t0209-python-parity.sh)
# yaml.safe_dump / yaml.dump as PyYAML writes them (block style, sorted keys,
# quoting as the resolver needs, folding past 80 columns, multi-line strings)
import yaml
cfg = {"samples": "config/samples.tsv", "ref": {"species": "homo_sapiens", "release": 104, "build": "GRCh38"},
       "params": {"trim": ["-q", "20", "--minimum-length", "25"], "threads": 4, "ratio": 0.5, "big": 1e20, "on": True, "none": None},
       "empty": {}, "nothing": [], "units": [{"sample": "A", "unit": 1}, {"sample": "B", "unit": 2, "extra": [1, 2]}],
       "nested": [[1, 2], [3]], "quoted": ["yes", "123", "1.5", "", "~", "null", "a: b", "# c", "-x", "- y", "x #y", "it's", " lead", "trail ", "tab\there", "2024-01-05", "0x1F", "on", "=", "<<", "---x", "@at", "ok-value", "a:b", "url: http://x"],
       "long": "word " * 30 + "end", "multi": "line1\nline2", "uni": "caf\u00e9", "neg": -5, "f2": 3.0}
print(yaml.safe_dump(cfg), end="")
print(yaml.dump({"b": 1, "a": [1, {"x": None}]}, sort_keys=False), end="")
print(yaml.safe_dump("plain"), yaml.safe_dump(5), yaml.safe_dump([]), yaml.safe_dump("it's"), end="")
print(yaml.safe_dump({"k": "v"}, explicit_start=True, indent=4), end="")
print(yaml.safe_dump({"a": {"b": {"c": [1, 2]}}}, indent=4), end="")
print(yaml.safe_dump({"u": "caf\u00e9"}, allow_unicode=True), end="")
print(yaml.safe_dump([[1, [2, 3]], {"a": 1}]), end="")
print(yaml.safe_dump({"b": 1, 3: "x", "a": 2}), end="")
print(yaml.safe_dump({"m": "a\n\nb\n", "n": ["x\ny"], "k": {"deep": "p\nq"}}), end="")

rule all:
    input: []
