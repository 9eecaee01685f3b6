from collections import namedtuple
Unit = namedtuple("Unit", "sample lane fq")
u = Unit("A", 1)
