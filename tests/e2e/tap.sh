# tap.sh - the TAP helpers of the shell tests, sourced by each of them:
#   . "$KR_SRCDIR/tests/e2e/tap.sh"
# check STATUS DESCRIPTION   one test point: ok when STATUS is 0
# same GOT WANT DESCRIPTION  ok when the two strings are equal, else shows
#                            both (tabs as \t, each line ended by '|' so
#                            trailing blanks show)
# The test ends with `echo "1..$n"` (the plan, counted as it went).
n=0
check() {
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
same() {
    if [ "$1" = "$2" ]; then check 0 "$3"; else
        check 1 "$3"
        printf '#   got:  %s\n#   want: %s\n' "$1" "$2" | sed 's/\t/\\t/g; s/$/|/'
    fi
}
