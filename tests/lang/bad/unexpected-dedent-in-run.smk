rule a:
    run:
            x = 1
        y = 2
