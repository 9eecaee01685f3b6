S = read_table("tables/bad.tsv")
