#!/bin/sh
# Container start of the orders API: uvicorn, with its logging from logging.yaml.
set -ex  # the trace shows the command line in the deploy log
exec uvicorn app.main:app --host "${HOST:-0.0.0.0}" --port "${PORT:-8000}" --proxy-headers --log-config logging.yaml
