#!/usr/bin/env bash
# Regenerates logs/boot-failure.log, logs/boot-failure-halt.log and logs/manage-check.log from real runs of this example.
#
# Gunicorn boots apps/backend with the service settings on 127.0.0.1 and dies because /app/apps/backend/logs does
# not exist; `manage.py check` dies the same way. Usage:
#   examples/ledgersg/make-failure-log.sh            (VENV=/path/to/venv to use another environment)
#
# The logs show the container's paths, as a real deploy's do: the app really runs from /app. Run as root (and with
# no /app on the machine), the script copies apps/ to /app/apps, makes /app/.venv (a venv of the same Python whose
# site-packages is a link to $VENV's, with its own `gunicorn` script), boots from there and removes /app again, so
# the frames read /app/apps/backend/... and /app/.venv/lib/python3.X/site-packages/... as Python printed them.
# The standard library's frames keep this machine's interpreter prefix (a container's would be /usr/local).
# Without root (no /app can be made), it runs the example where it is and rewrites those two prefixes in the
# printed logs afterwards, and says so on stderr.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
venv="$(cd "${VENV:-$here/../../.venv}" && pwd)"
logs="$here/logs"
# The failure needs the log directory to be missing; never create it to "fix" this check.
. "$here/../in-app.sh"

# A private HOME: Gunicorn 27 puts its control socket under $HOME/.gunicorn.
run_home="$(mktemp -d)"
cleanup() {
    rm -rf "$run_home"
    if [ "$made_app" = yes ]; then rm -rf "$app"; fi
}
trap cleanup EXIT

in_app "$venv" gunicorn "$here/apps"
if [ "$made_app" = yes ]; then
    backend="$app/apps/backend"
    app_home="$app"  # Gunicorn's control socket goes to $HOME/.gunicorn: /app/.gunicorn, inside the container too
else
    backend="$here/apps/backend"
    app_home="$run_home"
fi

# A clean environment, as the container has: only what the app needs, no bytecode left in the example.
clean=(env -i
    PATH="$run_venv/bin:/usr/bin:/bin"
    HOME="$app_home"
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
    "${clean[@]}" timeout -k 5 30 "$run_venv/bin/gunicorn" config.wsgi:application \
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
"${clean[@]}" timeout -k 5 30 "$run_venv/bin/python" manage.py check > "$logs/manage-check.log" 2>&1
rc=$?
set -e
if [ "$rc" -ne 1 ]; then
    echo "make-failure-log: manage.py check exited $rc, expected 1; see $logs/manage-check.log" >&2
    exit 1
fi
grep -q "ValueError: Unable to configure handler 'file'" "$logs/manage-check.log"

if [ "$made_app" = no ]; then  # the paths a run from /app prints, for a machine where it cannot run there
    for log in "$logs"/boot-failure.log "$logs"/boot-failure-halt.log "$logs"/manage-check.log; do
        sed -i -e "s#$venv/#$app/.venv/#g" -e "s#$here/apps/#$app/apps/#g" -e "s#$run_home/#$app/#g" "$log"
    done
fi
for log in "$logs"/boot-failure.log "$logs"/boot-failure-halt.log "$logs"/manage-check.log; do
    grep -q "File \"$app/apps/backend/" "$log"
done

echo "wrote $logs/boot-failure.log, $logs/boot-failure-halt.log and $logs/manage-check.log"
