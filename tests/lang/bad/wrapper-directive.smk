rule bwa:
    input: "a"
    wrapper: "0.1/bio/bwa/mem"
