import json
s = json.dump({"a": 1}, "x.json")
