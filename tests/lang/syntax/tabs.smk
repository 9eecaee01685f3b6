if a:
	x = 1
	if b:
		y = 2
rule t:
	input: "a"
	output:
		"b"
	shell: "cp {input} {output}"
