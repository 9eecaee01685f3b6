from pathlib import Path
OUT = Path("results")
OUT.mkdir(parents=True, exist_ok=True)
