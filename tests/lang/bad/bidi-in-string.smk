# a right-to-left override inside a string
access = "user‮ ⁦// admin"
