input = 3
output = input + 1
rule = "not a rule"
shell = print
threads = [rule, input]
x = rules.align.output.bam
f = lambda wildcards, input, output, threads: threads
def params(input, log):
    return input
report = {"a": 1}
use = 1
checkpoint = 2
run = 3
