a = "abc" "def"
b = ("one "
     "two "
     'three')
c = "plain " f"{x} " r"\raw"
d = f"{a}" f"{b}"
