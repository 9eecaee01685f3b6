import pandas as pd
import numpy as np
samples = pd.read_table("pd-samples.tsv", comment="#", dtype=str).set_index("sample", drop=False)
units = pd.read_csv("pd-units.csv", dtype=str).set_index(["sample", "unit"], drop=False)
nums = pd.read_csv("pd-units.csv")
treated = samples[samples["condition"] == "treated"]
print(list(samples.index), samples.index.unique().tolist(), list(samples.columns), len(samples), len(treated))
print(samples.loc["A", "condition"], samples.loc["B"]["condition"], samples.loc["B"].condition)
print(units.loc[("A", "u2"), "fq1"], units.loc[("A", "u1"), ["fq1", "fq2"]].dropna().tolist(), units.loc[("A", "u2"), ["fq1", "fq2"]].dropna().tolist())
print(pd.isnull(units.loc[("A", "u2"), "fq2"]), pd.isnull(units.loc[("A", "u1"), "fq2"]))
print(list(units.loc["A"].index), units["fq2"].isnull().tolist(), units["sample"].unique().tolist())
print(sorted(nums["reads"].tolist()), nums["reads"].tolist()[0] + 1)
print([r.fq1 for r in units.itertuples()], [(i, r["fq1"]) for i, r in samples.iterrows()] if False else [i for i, r in samples.iterrows()])
print(samples.to_dict()["condition"], samples.to_dict("records")[0], "condition" in samples.columns, "x" in samples)
print(units.dropna().index.tolist(), np.arange(3), np.arange(1, 10, 4), np.linspace(0, 1, 5), len(np.linspace(0, 1)), np.nan is np.nan)
print([s for s in treated["sample"]], treated.index.tolist())
units2 = pd.read_table("pd-samples.tsv", comment="#", index_col="sample")
print(units2.loc["C", "condition"], list(units2.columns), pd.read_csv("pd-units.csv", index_col=0).index.tolist())
print(samples.loc[samples["condition"] != "treated", "sample"].tolist(), units.loc[("B", "u1")]["reads"], len(units.loc["A"]))
