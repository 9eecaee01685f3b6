NESTED = "nested-ok"
