rule py:
    input: "in.txt"
    output: "out.txt"
    run:
        import pandas as pd
        with open(input[0]) as f:
            data = f.read()

        # comments stay
        text = """a string
  that dedents oddly
"""
        while data:
            data = data[1:]
        try:
            shell("touch {output}")
        except Exception as e:
            raise e

rule inline:
    output: "x"
    run: shell("touch {output}")

rule after:
    output: "y"
    shell: "touch {output}"
