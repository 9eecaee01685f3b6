ruleorder: a < b
