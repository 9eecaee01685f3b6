import csv
rows = list(csv.reader("samples.csv"))
