# a right-to-left isolate hidden in a name
is_admin⁧ = False
