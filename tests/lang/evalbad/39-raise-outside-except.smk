x = 1
raise
