from pathlib import Path
mode = Path("data").stat().st_mode
