"""How a process is started, read from the files that start it: shell scripts, Dockerfiles, Procfiles, supervisord programs, compose services, systemd units and Gunicorn config modules.

One reader module per format, registered in `table.FORMATS`; `scan` finds a program's command lines in any of
them and keeps the byte positions their edits need; `gunicorn` and `celery` read those programs' arguments.
"""
