#!/usr/bin/env bash
# Container entrypoint of the LedgerSG backend, cut down to the part that started the API in the incident.
set -e

BACKEND_PORT="${BACKEND_PORT:-8000}"

# Directory for Gunicorn's own logs
mkdir -p /tmp/backend_logs
chown user:user /tmp/backend_logs
chmod 755 /tmp/backend_logs

# Start Django with Gunicorn (production WSGI)
sudo -u user nohup bash -c "
source /opt/venv/bin/activate &&
cd /app/apps/backend &&
gunicorn config.wsgi:application \
-b 0.0.0.0:${BACKEND_PORT} \
--workers 2 \
--threads 2 \
--worker-class gthread \
--timeout 60 \
--keep-alive 5 \
--max-requests 1000 \
--max-requests-jitter 50 \
--access-logfile /tmp/backend_logs/access.log \
--error-logfile /tmp/backend_logs/error.log \
--capture-output \
--enable-stdio-inheritance
" > /tmp/backend.log 2>&1 &
BACKEND_PID=$!
echo "✓ Backend PID: ${BACKEND_PID} (Gunicorn: 2 workers, 2 threads)"

# Wait for the API; if Gunicorn dies, show why and fail the container.
for attempt in 1 2 3; do
    sleep 2
    if ! kill -0 "${BACKEND_PID}" 2>/dev/null; then
        echo "✗ Backend Gunicorn process died (attempt ${attempt})"
        echo "📋 Backend error log:"
        tail -n 20 /tmp/backend_logs/error.log 2>/dev/null || tail -n 20 /tmp/backend.log
        exit 1
    fi
    if curl -fsS "http://127.0.0.1:${BACKEND_PORT}/api/v1/health/" >/dev/null 2>&1; then
        echo "✓ Backend ready (attempt ${attempt})"
        break
    fi
done

wait "${BACKEND_PID}"
