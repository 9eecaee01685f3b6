x = "abc".uper()
