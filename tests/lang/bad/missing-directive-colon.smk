rule a:
    input "x"
