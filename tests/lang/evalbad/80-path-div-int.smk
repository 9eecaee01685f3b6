import pathlib
p = pathlib.Path("runs") / 3
