#!/usr/bin/env bash
# Regenerates logs/boot-failure.log, logs/boot-failure-halt.log and logs/manage-check.log from real runs of this example.
#
# Gunicorn (from the repository's .venv) boots apps/backend with the service settings on 127.0.0.1 and dies
# because /app/apps/backend/logs does not exist; `manage.py check` dies the same way. Usage:
#   examples/ledgersg/make-failure-log.sh            (VENV=/path/to/venv to use another environment)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
venv="${VENV:-$here/../../.venv}"
backend="$here/apps/backend"
logs="$here/logs"

# The failure needs the log directory to be missing; never create it (or /app) to "fix" this check.
if [ -e /app/apps/backend/logs ]; then
    echo "make-failure-log: /app/apps/backend/logs exists here, so the example would boot; not regenerating" >&2
    exit 2
fi

# A private HOME: Gunicorn 27 puts its control socket under $HOME/.gunicorn.
run_home="$(mktemp -d)"
trap 'rm -rf "$run_home"' EXIT

# A clean environment, as the container has: only what the app needs, no bytecode left in the example.
clean=(env -i
    PATH="$venv/bin:/usr/bin:/bin"
    HOME="$run_home"
    LANG=C.UTF-8
    PYTHONDONTWRITEBYTECODE=1
    PYTHONUNBUFFERED=1
    PYTHONPATH="$backend"
    DJANGO_SETTINGS_MODULE=config.settings.service)

cd "$backend"
mkdir -p "$logs"

# With two workers the master ends in one of two ways, both real: usually it logs "Reason: Worker failed to
# boot." and exits 3, but when both workers are reaped at once Gunicorn 27 raises HaltServer again while halting
# and dies with an uncaught traceback, exit 1. Keep one log of each, each with both workers' tracebacks.
attempt_log="$run_home/attempt.log"
have_reason=no
have_halt=no
for attempt in $(seq 1 20); do
    port="$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    set +e
    "${clean[@]}" timeout -k 5 30 "$venv/bin/gunicorn" config.wsgi:application \
        -b "127.0.0.1:$port" \
        --workers 2 \
        --threads 2 \
        --worker-class gthread \
        --timeout 60 \
        > "$attempt_log" 2>&1
    rc=$?
    set -e
    workers="$(grep -c 'Exception in worker process' "$attempt_log" || true)"
    if [ "$rc" -eq 3 ] && grep -q "Reason: Worker failed to boot." "$attempt_log"; then
        [ "$workers" -ge 2 ] && [ "$have_reason" = no ] && cp "$attempt_log" "$logs/boot-failure.log" && have_reason=yes
    elif [ "$rc" -eq 1 ] && grep -q "HaltServer: <HaltServer 'Worker failed to boot.' 3>" "$attempt_log"; then
        [ "$workers" -ge 2 ] && [ "$have_halt" = no ] && cp "$attempt_log" "$logs/boot-failure-halt.log" && have_halt=yes
    else
        echo "make-failure-log: gunicorn exited $rc, not a worker boot failure:" >&2
        cat "$attempt_log" >&2
        exit 1
    fi
    [ "$have_reason" = yes ] && [ "$have_halt" = yes ] && break
done
if [ "$have_reason" = no ] || [ "$have_halt" = no ]; then
    echo "make-failure-log: saw only some endings in 20 boots (reason: $have_reason, halt: $have_halt)" >&2
    exit 1
fi
grep -q "Reason: Worker failed to boot." "$logs/boot-failure.log"
grep -q "ValueError: Unable to configure handler 'file'" "$logs/boot-failure.log"

set +e
"${clean[@]}" timeout -k 5 30 "$venv/bin/python" manage.py check > "$logs/manage-check.log" 2>&1
rc=$?
set -e
if [ "$rc" -ne 1 ]; then
    echo "make-failure-log: manage.py check exited $rc, expected 1; see $logs/manage-check.log" >&2
    exit 1
fi
grep -q "ValueError: Unable to configure handler 'file'" "$logs/manage-check.log"

echo "wrote $logs/boot-failure.log, $logs/boot-failure-halt.log and $logs/manage-check.log"
