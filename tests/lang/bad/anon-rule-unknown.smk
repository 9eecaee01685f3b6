rule:
    shel: "echo"
