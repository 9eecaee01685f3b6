import re
SAMPLE = re.compile(r"^(?P<id>[A-Z]+_\d+$")
