from pathlib import Path
name = Path("sample") + ".bam"
