"""Gunicorn's command-line options and the setting each one sets, as Gunicorn 27.0.1's argparse parser reads them.

A reader that looks for some of Gunicorn's settings (the log files, the pid file, the worker temporary directory,
the bind) asks `setting_of` which setting a word names: an option as written, or any unambiguous prefix of a long
one (argparse's abbreviations, which Gunicorn allows). The whole table is here, so that a kind that reads another
setting names it and changes nothing in the readers (tests/codemods/gunicorn_stdout check it against the parser).
"""

from __future__ import annotations

# Every option string of `gunicorn --help`, to the setting (argparse `dest`) it sets.
OPTIONS = {
    "--access-logfile": "accesslog", "--access-logformat": "access_log_format", "--asgi-disconnect-grace-period":
    "asgi_disconnect_grace_period", "--asgi-lifespan": "asgi_lifespan", "--asgi-loop": "asgi_loop", "--backlog":
    "backlog", "--bind": "bind", "--ca-certs": "ca_certs", "--capture-output": "capture_output",
    "--casefold-http-method": "casefold_http_method", "--cert-reqs": "cert_reqs", "--certfile": "certfile", "--chdir":
    "chdir", "--check-config": "check_config", "--ciphers": "ciphers", "--config": "config", "--control-socket":
    "control_socket", "--control-socket-mode": "control_socket_mode", "--daemon": "daemon", "--dirty-app":
    "dirty_apps", "--dirty-graceful-timeout": "dirty_graceful_timeout", "--dirty-threads": "dirty_threads",
    "--dirty-timeout": "dirty_timeout", "--dirty-workers": "dirty_workers", "--disable-redirect-access-to-syslog":
    "disable_redirect_access_to_syslog", "--do-handshake-on-connect": "do_handshake_on_connect", "--dogstatsd-tags":
    "dogstatsd_tags", "--enable-backlog-metric": "enable_backlog_metric", "--enable-stdio-inheritance":
    "enable_stdio_inheritance", "--env": "raw_env", "--error-logfile": "errorlog", "--forwarded-allow-ips":
    "forwarded_allow_ips", "--forwarder-headers": "forwarder_headers", "--graceful-timeout": "graceful_timeout",
    "--group": "group", "--header-map": "header_map", "--help": "help", "--http-parser": "http_parser",
    "--http-protocols": "http_protocols", "--http2-cleartext": "http2_cleartext", "--http2-initial-window-size":
    "http2_initial_window_size", "--http2-max-concurrent-streams": "http2_max_concurrent_streams",
    "--http2-max-frame-size": "http2_max_frame_size", "--http2-max-header-list-size": "http2_max_header_list_size",
    "--initgroups": "initgroups", "--keep-alive": "keepalive", "--keyfile": "keyfile", "--limit-request-field_size":
    "limit_request_field_size", "--limit-request-fields": "limit_request_fields", "--limit-request-line":
    "limit_request_line", "--log-config": "logconfig", "--log-config-json": "logconfig_json", "--log-file":
    "errorlog", "--log-level": "loglevel", "--log-syslog": "syslog", "--log-syslog-facility": "syslog_facility",
    "--log-syslog-prefix": "syslog_prefix", "--log-syslog-to": "syslog_addr", "--logger-class": "logger_class",
    "--max-requests": "max_requests", "--max-requests-jitter": "max_requests_jitter", "--name": "proc_name",
    "--no-control-socket": "control_socket_disable", "--no-sendfile": "sendfile", "--paste": "paste",
    "--paste-global": "raw_paste_global_conf", "--paster": "paste", "--permit-obsolete-folding":
    "permit_obsolete_folding", "--permit-unconventional-http-method": "permit_unconventional_http_method",
    "--permit-unconventional-http-version": "permit_unconventional_http_version", "--pid": "pidfile", "--preload":
    "preload_app", "--print-config": "print_config", "--protocol": "protocol", "--proxy-allow-from":
    "proxy_allow_ips", "--proxy-protocol": "proxy_protocol", "--pythonpath": "pythonpath", "--reload": "reload",
    "--reload-engine": "reload_engine", "--reload-extra-file": "reload_extra_files", "--reuse-port": "reuse_port",
    "--root-path": "root_path", "--spew": "spew", "--ssl-version": "ssl_version", "--statsd-host": "statsd_host",
    "--statsd-prefix": "statsd_prefix", "--strip-header-spaces": "strip_header_spaces", "--suppress-ragged-eofs":
    "suppress_ragged_eofs", "--threads": "threads", "--timeout": "timeout", "--umask": "umask", "--user": "user",
    "--uwsgi-allow-from": "uwsgi_allow_ips", "--version": "version", "--websocket-max-message-size":
    "websocket_max_message_size", "--worker-class": "worker_class", "--worker-connections": "worker_connections",
    "--worker-tmp-dir": "worker_tmp_dir", "--workers": "workers", "-D": "daemon", "-R": "enable_stdio_inheritance",
    "-b": "bind", "-c": "config", "-e": "raw_env", "-g": "group", "-h": "help", "-k": "worker_class", "-m": "umask",
    "-n": "proc_name", "-p": "pidfile", "-t": "timeout", "-u": "user", "-v": "version", "-w": "workers"
}
# The settings whose options take no value (`--capture-output`, `-D`).
SWITCHES = frozenset({
    "capture_output", "casefold_http_method", "check_config", "control_socket_disable", "daemon",
    "disable_redirect_access_to_syslog", "do_handshake_on_connect", "enable_backlog_metric",
    "enable_stdio_inheritance", "help", "initgroups", "permit_obsolete_folding",
    "permit_unconventional_http_method", "permit_unconventional_http_version", "preload_app", "print_config",
    "reload", "reuse_port", "sendfile", "spew", "strip_header_spaces", "suppress_ragged_eofs", "syslog", "version"
})
_LONG = tuple(o for o in OPTIONS if o.startswith("--"))


def setting_of(option: str) -> str | None:
    """The setting `option` names as Gunicorn's parser reads it (an exact option, or a unique prefix of a long one)."""
    if option in OPTIONS:
        return OPTIONS[option]
    if not option.startswith("--") or len(option) < 3:
        return None
    hits = [o for o in _LONG if o.startswith(option)]
    return OPTIONS[hits[0]] if len(hits) == 1 else None  # argparse: two options that it may abbreviate is an error


def option_for(setting: str) -> str:
    """The long option that sets `setting`, as a new option is written (`worker_tmp_dir` → `--worker-tmp-dir`)."""
    return next(o for o, s in OPTIONS.items() if s == setting and o.startswith("--"))
