confgfile: "c.yaml"
