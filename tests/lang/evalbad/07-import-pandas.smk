import pandas as pd
df = pd.DataFrame({"sample": ["A"]})
