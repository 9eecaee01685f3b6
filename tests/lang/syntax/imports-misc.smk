import os
import os.path
import sys, re as regex
from os import path
from os.path import join, basename as bn
from collections import (OrderedDict,
                         defaultdict,)
assert x
assert len(xs) > 0, "need samples"
del a
del b[0], c.d
pass
