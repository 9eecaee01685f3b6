from itertools import groupby
