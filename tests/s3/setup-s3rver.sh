#!/usr/bin/env bash
# setup-s3rver.sh - install s3rver (an S3-compatible server from npm) into a
# cache directory so the S3 tests can start it on loopback. Idempotent.
#   tests/s3/setup-s3rver.sh            -> prints the path of the s3rver bin
# Cache: $KRAIT_S3RVER_DIR (default ~/.cache/krait/s3rver). Needs node + npm.
set -euo pipefail
dir=${KRAIT_S3RVER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/krait/s3rver}
bin=$dir/node_modules/.bin/s3rver
if [ ! -x "$bin" ]; then
    command -v npm >/dev/null || { echo "setup-s3rver: npm not found (apt-get install npm)" >&2; exit 1; }
    mkdir -p "$dir"
    npm install --silent --no-audit --no-fund --prefix "$dir" s3rver@3.7.1 >&2
fi
[ -x "$bin" ] || { echo "setup-s3rver: $bin missing after npm install" >&2; exit 1; }
echo "$bin"
