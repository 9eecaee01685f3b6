with open("no-such-sheet.tsv") as f:
    lines = f.readlines()
