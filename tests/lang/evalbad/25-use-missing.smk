use rule missing as other with:
    output: "x"
