from itertools import starmap
