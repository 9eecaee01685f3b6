table = {"S1": "a.fq"}
def lookup(s):
    try:
        return table[s]
    except KeyError:
        print("unknown sample", s)
        raise
lookup("S2")
