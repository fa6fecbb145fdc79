"""Regenerate tests/fixtures/logs/python*.log: real failing runs, printed the way older CPython (2.7, 3.4, 3.6) did.

Run from the repository root: `python -m tests.make_pasted_fixtures`. No interpreter older than this machine's 3.11
runs here, so each log is a real run (Django's `manage.py check`, Gunicorn, a plain `dictConfig` as another user)
rewritten as the older `logging/config.py` printed the same failure: no chained cause, the cause's text inside the
`ValueError`'s message (`raise ValueError('Unable to configure handler %r: %s' % (name, e))`), and the stdlib's
path of that release. Then it is cut and wrapped as people paste it (see tests/fixtures/logs/README.md).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from tests.support import loggingrun, realrun
from tests.support import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "logs"
_OLD_RAISE = "    '%r: %s' % (name, e))"  # the line 2.7-3.6 show for the raise in DictConfigurator.configure


def last_traceback(output: str) -> list[str]:
    """The lines of the last traceback in `output`, without its header, down to its exception line."""
    lines = output.splitlines()
    start = max(i for i, line in enumerate(lines) if line.startswith("Traceback"))
    end = next(i for i in range(start, len(lines)) if re.match(r"\w+(?:Error|Exception):", lines[i]))
    return [line for line in lines[start + 1 : end + 1] if line.strip().strip("^~")]  # 3.11's carets are new


def as_older(frames: list[str], stdlib: str, message: str) -> list[str]:
    """3.11's frames of a failed dictConfig, as an older release printed them, ending in `message`."""
    version = re.search(r"python\d\.\d+", stdlib)[0]
    out = [re.sub(r'(?<=File ")[^"]*?/python3\.\d+(?=/logging/)', stdlib, line) for line in frames[:-1]]
    out = [re.sub(r"python3\.\d+(?=/site-packages/)", version, line) for line in out]
    assert "raise ValueError('Unable to configure handler '" in out[-1], out
    return out[:-1] + [_OLD_RAISE, message]


def cause(output: str) -> str:
    """The message of the exception the last one was raised from (its direct cause), as str(e) gives it."""
    head = output[: output.rindex("Traceback (most recent call last):")]
    return re.findall(r"^\w+Error: (.+)$", head, re.M)[-1]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="pasted-") as scratch:
        base = Path(scratch)
        scrub = lambda text: text.replace(str(base), "/srv/app")  # noqa: E731

        # Python 3.4 + Django, pasted into a README: the traceback without its header (the first frame's indent
        # half lost), the path cut mid-quote; then an unrelated Gunicorn excerpt, cut the same way.
        project = realrun.make_django_project(base / "tucat", logging_source=realrun.file_logging(str(base / "log" / "logging.log")))
        check = realrun.run_manage_check(project).output
        frames = last_traceback(check)
        first = next(i for i, line in enumerate(frames) if "django/utils/log.py" in line)
        old = as_older(frames[first:], "/usr/lib/python3.4",
                       f"ValueError: Unable to configure handler 'file': {cause(check)}".rstrip("'"))
        app = realrun.run_gunicorn(project, ["no_such_app.wsgi:application", "--workers", "1", "--timeout", "10"]).output
        tail = last_traceback(app)
        wsgiapp = next(i for i, line in enumerate(tail) if "gunicorn/app/wsgiapp.py" in line and "load_wsgiapp" in line)
        gunicorn = [re.sub(r"python3\.\d+(?=/site-packages/)", "python3.4", line)  # 3.4's import_app had no
                    for line in tail[wsgiapp:wsgiapp + 4] + tail[-1:]]          # importlib frames under it
        gunicorn[-1] = gunicorn[-1].replace("ModuleNotFoundError", "ImportError").rstrip("'")  # 3.4 had no ModuleNotFoundError
        text = "\n".join(["file: /srv/app/tucat/log/celery_worker.log", "", old[0][1:], *old[1:], "",
                          "file: /srv/app/tucat/log/gunicorn.log", "", *gunicorn, ""])
        venv = str(Path(realrun.VENV_BIN).parent)
        (FIXTURES / "python34-pasted-cut.log").write_text(scrub(text.replace(venv, "/srv/venv")))

        # Python 2.7 under systemd, read with journalctl and pasted tab-indented: a handler whose class cannot be
        # imported (its "Cannot resolve" cause inside the message, 2.7's ImportError without quotes).
        null = realrun.make_django_project(base / "portal", logging_source=realrun.file_logging(
            str(base / "x.log"), handler="null", handler_class="no_such_package.NullHandler"))
        check = realrun.run_manage_check(null).output
        frames = last_traceback(check)
        first = next(i for i, line in enumerate(frames) if "django/utils/log.py" in line) + 1  # cut after its frame line
        reason = re.sub(r"No module named '([^']+)'", r"No module named \1", cause(check))
        old = as_older(frames[first:], "/usr/lib64/python2.7", f"ValueError: Unable to configure handler 'null': {reason}")
        stamp = "Dec 01 05:42:16 portal.example.internal"
        journal = [f"\t{stamp} python[30903]: {line}" for line in old] + [
            f"\t{stamp} systemd[1]: portal.service: Main process exited, code=exited, status=1/FAILURE",
            f"\t{stamp} systemd[1]: Failed to start Portal."]
        (FIXTURES / "python27-journald-unknown-class.log").write_text(scrub("\n".join(journal) + "\n"))

        # Python 3.6, two lines of a how-to: the last frame and the ValueError carrying [Errno 13].
        denied = loggingrun.dict_config_as_nobody(handler="error")
        if denied is None:
            raise SystemExit("python36-permission.log needs root and setpriv (a run as another user)")
        output, path = denied
        frames = as_older(last_traceback(output), "/usr/local/lib/python3.6",
                          f"ValueError: Unable to configure handler 'error': {cause(output)}")
        text = "\n".join(frames[-3:]).replace(str(Path(path).parent), "/srv/app/logs").lstrip() + "\n"
        (FIXTURES / "python36-permission.log").write_text(text)
    for name in ("python34-pasted-cut.log", "python27-journald-unknown-class.log", "python36-permission.log"):
        print(FIXTURES / name)


if __name__ == "__main__":
    main()
