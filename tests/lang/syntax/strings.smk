a = 'single'
b = "double"
c = """triple
quoted"""
d = '''also
triple'''
e = "esc: \n \t \\ \" \x41 \u00e9 \101 \d"
f = r"raw \n {x}"
g = R'raw\d+'
h = "line \
continued"
i = u"unicode prefix"
j = ""
