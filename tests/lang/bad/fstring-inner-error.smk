x = f"value: {a +}"
