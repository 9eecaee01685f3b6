#!/bin/sh
# t0452-report.sh - `krait report` and `krait run --report FILE`: one
# self-contained HTML file per run. A small workflow with a failing job
# (run with -k) and an output whose name holds <script> and & gives a
# report with the failed job's log tail, escaped; a rule node per rule and
# a timeline bar per attempt (one per rule above --max-bars); nothing that
# points outside the file; why each output was made (journaled with the
# attempt, so a later `krait report` shows it too).
# Then, when Debian's chromium is installed, a real headless browser
# renders it: the DOM has the same nodes and bars, the page's own counters
# (window 'error' events and 'securitypolicyviolation' events, written
# into #kr-js) say 0 script errors and 0 blocked loads - the page's CSP
# forbids every fetch, so any attempt to load something is counted - and a
# screenshot is saved to $KR_BUILDDIR/report.png. A copy of the page with
# an injected external image and a throwing script shows the counters do
# count, and that chromium's console log (--enable-logging=stderr) shows
# them, so "no console message" on the real page means something. DNS is
# mapped to nothing, so no request could leave the machine anyway.
set -u
. "$KR_SRCDIR/tests/e2e/tap.sh"
T=$(mktemp -d) && cd "$T" || exit 1
echo "# in $T"
cat > Snakefile <<'SNAKE'
rule all:
    input: "merged.txt", "bad.txt"
rule make:
    output: "a/{x}.txt"
    shell: "echo {wildcards.x:q} > {output:q}"
rule merge:
    input: expand("a/{x}.txt", x=["1", "2", "x<script>alert(1)</script>&y"])
    output: "merged.txt"
    shell: "cat {input:q} > {output}"
rule bad:
    output: "bad.txt"
    shell: "echo 'first line'; echo 'oops <script>alert(2)</script> & more'; exit 3"
SNAKE
"$KRAIT" run -k -c 2 --report run.html > run.out 2>&1; [ $? -ne 0 ]; check $? "the run fails (bad exits 3)"
[ -s run.html ]; check $? "krait run --report wrote run.html"
"$KRAIT" report -o r.html > rep.out 2>&1; check $? "krait report -o r.html"
grep -q "report written to r.html" rep.out; check $? "... and says where"

count() { grep -o "$1" "$2" | wc -l | tr -d ' '; }
same "$(count '<g class="node">' r.html)" 4 "4 rule nodes (all, make, merge, bad)"
same "$(count '<rect class="bar ' r.html)" 5 "5 timeline bars (3 make, merge, bad)"
same "$(count '<rect class="bar failed"' r.html)" 1 "... one of them failed"
same "$(count '<path class="edge"' r.html)" 3 "3 edges: make->merge, merge->all, bad->all"
grep -q '<rect class="failed"[^>]*/><text[^>]*>bad</text>' r.html; check $? "the node of bad is coloured failed"
grep -q 'oops &lt;script&gt;alert(2)&lt;/script&gt; &amp; more' r.html
check $? "the failed job's log tail is in the report, escaped"
grep -q 'a/x&lt;script&gt;alert(1)&lt;/script&gt;&amp;y.txt' r.html
check $? "the hostile output path is escaped"
! grep -q '<script>alert' r.html; check $? "no unescaped <script> from the workflow"
[ "$(count '<script>' r.html)" = 1 ]; check $? "the page's own script is its only one"
! grep -Eiq 'https?://|src=|@import|url\([^#]' r.html; check $? "no reference to anything outside the file"
grep -q "Content-Security-Policy\" content=\"default-src 'none'" r.html; check $? "a CSP that forbids every fetch"
grep -q '<td>a/1.txt</td><td>make</td><td>missing output: a/1.txt</td>' run.html
check $? "krait run --report records why each output was made"
grep -q '<td>local</td><td>[^<]*</td><td>pid:[0-9]*</td>' r.html; check $? "provenance: executor, host, external id"
grep -q '<td>a/1.txt</td><td>make</td><td>missing output: a/1.txt</td>' r.html
check $? "krait report, later, reads why each output was made from the journal"
"$KRAIT" log --run 1 > log.out 2>&1; check $? "krait log --run 1"
grep -q '^        why: missing output: a/1.txt$' log.out; check $? "... shows why each attempt ran"
"$KRAIT" log --run 1 --json > log.json 2>&1
grep -q '"reason": *"missing output: bad.txt"' log.json; check $? "... and --json has it as \"reason\""

"$KRAIT" report --max-bars 2 -o b.html 2> /dev/null; check $? "krait report --max-bars 2"
grep -q 'id="timeline-bucketed">5 attempts: more than 2' b.html; check $? "... says the timeline is bucketed"
same "$(count '<rect class="bar ' b.html)" 3 "... one bar per rule (make, merge, bad)"
"$KRAIT" report --no-plan -o np.html 2> /dev/null; check $? "krait report --no-plan"
same "$(count '<g class="node">' np.html)" 3 "... the rules that ran only"
"$KRAIT" report --run 7 -o x.html > x.out 2>&1; [ $? -ne 0 ]; check $? "an unknown run fails"
grep -q "no run 7" x.out && [ ! -e x.html ]; check $? "... naming it, leaving no file"

# ---- a real browser ---------------------------------------------------------
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
    echo "# SKIP browser checks: chromium is not installed (scripts/install-deps.sh --tests)"
    echo "1..$n"
    exit 0
fi
browse() {     # browse FILE ACTION...: headless, offline, its own profile
    timeout 60 "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --no-first-run \
        --user-data-dir="$T/profile" --host-resolver-rules="MAP * ~NOTFOUND" \
        --enable-logging=stderr --v=0 "$@"
}
browse --dump-dom "file://$T/r.html" > dom.html 2> dom.err; check $? "chromium renders the report"
same "$(count '<g class="node">' dom.html)" 4 "the rendered DOM has the 4 rule nodes"
same "$(count '<rect class="bar ' dom.html)" 5 "... and the 5 timeline bars"
grep -q 'id="kr-js"[^>]*data-errors="0"' dom.html && grep -q 'id="kr-js"[^>]*data-blocked="0"' dom.html &&
    grep -q 'id="kr-js"[^>]*data-ready="1"' dom.html
check $? "the page's script ran: 0 script errors, 0 blocked loads ($(grep -o 'id="kr-js"[^>]*' dom.html))"
! grep -q ':CONSOLE' dom.err; check $? "no console message at all in chromium's log"
rm -f "$KR_BUILDDIR/report.png"
browse --window-size=1280,1600 --screenshot="$KR_BUILDDIR/report.png" "file://$T/r.html" > shot.out 2>&1
[ -s "$KR_BUILDDIR/report.png" ]; check $? "a screenshot saved to $KR_BUILDDIR/report.png"
# the counters count: an external image and a throwing script
sed 's|</body>|<img src="http://example.invalid/x.png"><script>throw new Error("boom")</script></body>|' r.html > bad.html
browse --dump-dom "file://$T/bad.html" > baddom.html 2> baddom.err
grep -q 'id="kr-js"[^>]*data-errors="[1-9]' baddom.html && grep -q 'id="kr-js"[^>]*data-blocked="[1-9]' baddom.html
check $? "a control page with an external image and a throwing script is caught ($(grep -o 'id="kr-js"[^>]*' baddom.html))"
grep -q ':CONSOLE.*Uncaught Error: boom' baddom.err && grep -q ':CONSOLE.*violates the following Content Security Policy' baddom.err
check $? "... and chromium's log shows both, so the check above is not vacuous"
echo "1..$n"
