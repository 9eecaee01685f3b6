include: "inc/bad-include.smk"
