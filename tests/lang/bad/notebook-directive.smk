rule nb:
    notebook: "x.ipynb"
