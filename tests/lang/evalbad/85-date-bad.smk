from datetime import date
d = date(2023, 2, 29)
