#!/usr/bin/env bash
# Regenerates logs/boot-failure.log from a real run of this example: start.sh starts uvicorn on 127.0.0.1, which
# dies because logging.yaml's access_file handler writes to /var/log/orders-api, a directory the image lacks.
# Usage: examples/orders-api/make-failure-log.sh   (VENV=/path/to/venv to use another environment)
#
# As examples/ledgersg/make-failure-log.sh does (both through examples/in-app.sh): run as root on a machine with no /app, the app really runs from
# /app (a copy of this example and a venv at /app/.venv whose site-packages links to $VENV's, with its own
# `uvicorn` script), so the frames read /app/.venv/lib/python3.X/site-packages/...; /app is removed again.
# Without root it runs in place and rewrites those prefixes in the printed log afterwards, and says so.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
venv="$(cd "${VENV:-$here/../../.venv}" && pwd)"
logs="$here/logs"
. "$here/../in-app.sh"

if [ -e /var/log/orders-api ]; then
    echo "make-failure-log: /var/log/orders-api exists here, so the app would boot: not regenerating" >&2
    exit 2
fi

run_home="$(mktemp -d)"
cleanup() {
    rm -rf "$run_home"
    if [ "$made_app" = yes ]; then rm -rf "$app"; fi
}
trap cleanup EXIT

in_app "$venv" uvicorn "$here/app" "$here/logging.yaml" "$here/start.sh"
workdir="$here"
if [ "$made_app" = yes ]; then workdir="$app"; fi

port="$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
mkdir -p "$logs"
cd "$workdir"
set +e
env -i PATH="$run_venv/bin:/usr/bin:/bin" HOME="$run_home" LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 HOST=127.0.0.1 PORT="$port" \
    timeout -k 5 30 sh ./start.sh > "$logs/boot-failure.log" 2>&1
rc=$?
set -e
if [ "$rc" -ne 1 ]; then
    echo "make-failure-log: start.sh exited $rc, expected 1; see $logs/boot-failure.log" >&2
    exit 1
fi
if [ "$made_app" = no ]; then
    sed -i -e "s#$venv/#$app/.venv/#g" -e "s#$here/#$app/#g" "$logs/boot-failure.log"
fi
grep -q "ValueError: Unable to configure handler 'access_file'" "$logs/boot-failure.log"
grep -q "FileNotFoundError: .*'/var/log/orders-api/access.log'" "$logs/boot-failure.log"
grep -q "File \"$app/.venv/lib/python3" "$logs/boot-failure.log"
echo "wrote $logs/boot-failure.log"
