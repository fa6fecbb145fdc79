"""The gunicorn-control-socket room's near misses and media (its end-to-end fix is the home-cache test's, where one
HOME breaks both): the same errno on the same `/.gunicorn` the app chose itself, an Errno 13 on the socket
Gunicorn was told to listen on, and the example log as pasted."""

from __future__ import annotations

import shutil

import pytest

from fixbot import fixes
from tests.support import confined
from tests.support.pasting import MEDIA, findings, fixable

EXAMPLES = fixes.HERE / "gunicorn_control_socket" / "examples"


@pytest.fixture(scope="module")
def top():
    if not confined.available():
        pytest.skip("needs root, unshare and setpriv")
    top = confined.world_dir("fixbot-gctl-")
    (top / "run").mkdir(mode=0o755)
    yield top
    shutil.rmtree(top)


def app_dir(top, name: str, code: str = ""):
    own = top / name
    own.mkdir(mode=0o755)
    (own / "app.py").write_text(code + confined.WSGI_APP)
    (own / "app.py").chmod(0o644)
    return own


def test_the_apps_own_directory_under_home_is_a_near_miss(top):
    """HOME=/ and `[Errno 13] Permission denied: '/.gunicorn'`, but from the app's own mkdir at import, with
    Gunicorn's socket already off: no `Control server error`, nothing for --no-control-socket to do."""
    own = app_dir(top, "own-home", 'import os\nos.mkdir(os.path.expanduser("~/.gunicorn"))\n')
    failed = confined.run("exec gunicorn app:app --bind 127.0.0.1:$PORT --workers 1 --no-control-socket", own,
                          user=confined.NOBODY, timeout=10, env={"HOME": "/"})
    assert not failed.booted and "PermissionError: [Errno 13] Permission denied: '/.gunicorn'" in failed.output, failed.output
    found = findings(failed.output)
    assert not [f for f in found if f.kind == "gunicorn-control-socket"] and not fixable(found), found


def test_an_errno_13_on_the_socket_it_listens_on_is_a_near_miss(top):
    """Gunicorn bound to a unix socket in a directory its user may not write: a permission error on a socket,
    but the one it was told to listen on, which neither the control-socket nor the pid-file fix changes."""
    own = app_dir(top, "own-sock")
    sock = top / "run" / "app.sock"
    failed = confined.run(f"exec gunicorn app:app --bind unix:{sock} --workers 1 --no-control-socket", own,
                          user=confined.NOBODY, timeout=10)
    assert not failed.booted and "Permission denied" in failed.output and str(sock) in failed.output, failed.output
    assert not fixable(findings(failed.output)), findings(failed.output)


@pytest.mark.parametrize("medium", sorted(MEDIA))
def test_found_whatever_the_medium_did(medium):
    found = fixable(findings(MEDIA[medium]((EXAMPLES / "home-is-root.log").read_text())))
    assert [(f.kind, f.facts["path"]) for f in found] == [("gunicorn-control-socket", "/.gunicorn")]
