d = {"a": 1}
try:
    v = d["b"]
except (ValueError, IndexError):
    v = 0
