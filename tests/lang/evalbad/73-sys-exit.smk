import sys
if not config.get("samples"):
    sys.exit("config: no samples given (set samples: in config.yaml)")
