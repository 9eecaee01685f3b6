#!/bin/sh
# t0212-stdmods2.sh - collections (defaultdict, Counter, OrderedDict,
# namedtuple), pathlib.Path, datetime/time and the os additions give what
# Python gives: tests/pymod/stdmods2.py is both a rule file and a Python
# script; what krait prints while loading it must equal stdmods2.out and,
# when python3 is installed, so must what python3 prints. Then: a Path goes
# where a path string goes (input:, output:, an input function, temp()),
# a run sees one fixed moment (SOURCE_DATE_EPOCH), and Path.read_text()
# counts as a read file.
set -u
: "${KRAIT:?KRAIT must name the krait binary}" "${KR_SRCDIR:?}"
RUN="${KR_VALGRIND:-} $KRAIT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..6"
cp "$KR_SRCDIR/tests/pymod/stdmods2.py" "$KR_SRCDIR/tests/pymod/stdmods2.out" "$tmp/"
cd "$tmp" || exit 1
mkdir -p d/sub && echo hi >d/a.txt && echo x >d/b.fq.gz && : >d/.hid

. "$KR_SRCDIR/tests/e2e/pymod-lib.sh"
pymod_same stdmods2 1

# Paths as input:/output: files, through an input function and temp()
mkdir -p wf && cd wf || exit 1
mkdir -p data && echo A >data/s1.txt && echo B >data/s2.txt
cat >Snakefile <<'S'
from pathlib import Path
import datetime
DATA = Path("data")
OUT = Path("out")
SAMPLES = [p.stem for p in sorted(DATA.glob("*.txt"))]
STAMP = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
def src(wc):
    return DATA / (wc.s + ".txt")
rule all:
    input: [OUT / (s + ".up") for s in SAMPLES], OUT / "stamp.txt"
rule up:
    input: src
    output: temp(OUT / "{s}.tmp")
    shell: "tr A-Z a-z <{input:q} >{output:q}"
rule fin:
    input: OUT / "{s}.tmp"
    output: OUT / "{s}.up"
    shell: "cp {input:q} {output:q}"
rule stamp:
    output: OUT / "stamp.txt"
    params: t=STAMP, again=datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    shell: "echo {params.t} {params.again} >{output:q}"
S
SOURCE_DATE_EPOCH=1700000000 TZ=UTC $RUN run -j2 >.run 2>&1
rc=$?
if [ $rc -eq 0 ] && [ "$(cat out/s1.up)" = "a" ] && [ "$(cat out/s2.up)" = "b" ] && [ ! -e out/s1.tmp ]; then
    echo "ok 3 - Paths work as input:, output:, input-function results and temp()"; else
    echo "not ok 3 - run with Paths (exit $rc)"; sed 's/^/# /' .run; fi
if [ "$(cat out/stamp.txt 2>/dev/null)" = "20231114-221320 20231114-221320" ]; then
    echo "ok 4 - datetime.now() is one fixed moment per run (SOURCE_DATE_EPOCH)"; else
    echo "not ok 4 - stamp: $(cat out/stamp.txt 2>&1)"; fi
cd .. || exit 1

# Path.read_text() is a recorded read, like open()
printf 'samples: [x]\n' >conf.yaml
cat >rt.smk <<'S'
from pathlib import Path
import yaml
cfg = yaml.safe_load(Path("conf.yaml").read_text())
rule r:
    output: "o"
    params: s=cfg["samples"]
    shell: "true"
S
$RUN lint --json -s rt.smk >.json 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q '"readfiles"' .json && grep -q 'conf.yaml' .json; then
    echo "ok 5 - Path.read_text() records the file as read"; else
    echo "not ok 5 - read_text not recorded (exit $rc)"; sed 's/^/# /' .json | head -20; fi

# writing through a Path is refused with a clear message
printf 'from pathlib import Path\nPath("x").mkdir()\n' >w.smk
$RUN lint -s w.smk >.w 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q "'Path.mkdir': krait's rule language does not write files" .w; then
    echo "ok 6 - Path.mkdir() says the rule language does not write files"; else
    echo "not ok 6 - mkdir (exit $rc)"; sed 's/^/# /' .w; fi
