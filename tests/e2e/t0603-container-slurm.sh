#!/bin/sh
# t0603-container-slurm.sh - rules-examples/containers runs unchanged with
# Podman on the local executor and through the SLURM executor: the same
# report both ways, every job in the container, provenance with the image
# identity. Needs the image from tests/containers/setup-podman.sh and a
# running SLURM (tests/slurm/slurm-up.sh --fast); skips saying which is
# missing.
set -u
if ! $KRAIT run --help >/dev/null 2>&1; then
    echo "1..0 # SKIP this krait has no run command yet"; exit 0
fi
IMG=localhost/krait-test:latest
EX="$KR_SRCDIR/rules-examples/containers"
if ! command -v podman >/dev/null 2>&1 || ! podman image exists "$IMG" 2>/dev/null; then
    echo "1..0 # SKIP podman or the image $IMG missing (tests/containers/setup-podman.sh)"; exit 0
fi
. "$KR_SRCDIR/tests/e2e/slurm-lib.sh"
slurm_ensure_up || exit 0
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
. "$KR_SRCDIR/tests/e2e/tap.sh"
want_report=$(printf 'sample\twords\tdistinct\nalpha\t9\t8\nbeta\t10\t8')
id=sha256:$(podman image inspect --format '{{.Id}}' "$IMG" | sed 's/^sha256://')

for mode in local slurm; do
    mkdir "$T/$mode"
    cp -r "$EX/Snakefile" "$EX/data" "$T/$mode/"
    cd "$T/$mode" || exit 1
    if [ $mode = local ]; then
        $KRAIT run -p -c 2 --container-runtime podman > run.out 2>&1
    else
        $KRAIT run -p -j 4 --container-runtime podman --executor slurm --latency-wait 10 > run.out 2>&1
    fi
    rc=$?
    check $rc "$mode: krait run exits 0"
    [ $rc -eq 0 ] || sed 's/^/#   /' run.out | tail -n 20
    same "$(grep -c "podman run --rm .* $IMG bash -euo pipefail -c" run.out)" "3" \
         "$mode: the three jobs run in the image (-p shows the invocations)"
    same "$(cat results/report.tsv 2>/dev/null)" "$want_report" "$mode: the report"
    same "$(sqlite3 .krait/state.db "SELECT DISTINCT container FROM outputs ORDER BY 1")" "$id" \
         "$mode: provenance of every output holds the image id"
    same "$(cat logs/count/alpha.log 2>/dev/null)" "" "$mode: the job log is empty (no errors)"
done
same "$(cat "$T/slurm/counts/beta.tsv")" "$(cat "$T/local/counts/beta.tsv")" \
     "the same outputs locally and on SLURM"

echo "1..$n"
