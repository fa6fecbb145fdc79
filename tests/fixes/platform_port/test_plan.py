"""The platform-port room end to end: Gunicorn (a Procfile) and uvicorn (a start script) really bound to 127.0.0.1,
where a request to the container's own address is refused; fixbot rewrites the start to 0.0.0.0:${PORT:-…}; the
fixed branch's own command, run with PORT set, answers on the machine's non-loopback address at $PORT.

What cannot be had here is the platform: its one line (Heroku's R10, Render's port scan) is its documented text
(devcenter.heroku.com/articles/error-codes#r10-boot-timeout, render.com/docs/web-services#port-binding), put
after the real run's lines in the platform's own prefixes. Everything else in each log is what the run printed.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from fixbot import fixes
from tests.support import confined, realrun
from tests.support.cli import apply_json
from tests.support.pasting import MEDIA, findings, fixable
from tests.support.repos import clone, commit_all

EXAMPLES = fixes.HERE / "platform_port" / "examples"
R10 = "Error R10 (Boot timeout) -> Web process failed to bind to $PORT within 60 seconds of launch"
RENDER = "==> No open ports detected, continuing to scan..."
ASGI_APP = ('async def app(scope, receive, send):\n    if scope["type"] != "http":\n        return\n'
            '    await send({"type": "http.response.start", "status": 200, "headers": []})\n'
            '    await send({"type": "http.response.body", "body": b"ok\\n"})\n')


def host_address() -> str:
    """The machine's own non-loopback IPv4 address, where a platform's router would connect; the loopback when
    it has none (then the proof is the request at $PORT that the old branch refused)."""
    out = subprocess.run(["ip", "-4", "-o", "addr", "show", "scope", "global"], capture_output=True, text=True).stdout
    found = re.search(r"\binet (\d+\.\d+\.\d+\.\d+)/", out)
    return found[1] if found else realrun.LOOPBACK


def heroku(output: str) -> str:
    """A real run's lines as `heroku logs` shows them, then the router's R10 (Heroku's documented line)."""
    lines = [f"2026-12-07T16:13:23.{i:06d}+00:00 app[web.1]: {line}" for i, line in enumerate(output.splitlines())]
    return "\n".join(lines + [f"2026-12-07T16:14:20.871000+00:00 heroku[web.1]: {R10}"]) + "\n"


def render(output: str) -> str:
    """A real run's lines as Render's log stream shows them, then its port scan's line (Render's documented text)."""
    lines = [f"2026-12-07T16:13:23.{i:09d}Z {line}" for i, line in enumerate(output.splitlines())]
    return "\n".join(lines + [f"2026-12-07T16:13:58.682731358Z {RENDER}"]) + "\n"


def start(repo: Path, command: str, port: int, host: str, timeout: float = 6) -> realrun.Run:
    return realrun.run_command(command, repo, {"PORT": str(port)}, port=port, host=host, timeout=timeout)


def deploy(tmp_path: Path, files: dict[str, str]) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    for name, text in files.items():
        (repo / name).write_text(text)
    commit_all(repo)
    return repo


def test_a_procfile_gunicorn_on_the_loopback_listens_on_port_after_heroku_r10(tmp_path):
    host, old, new = host_address(), realrun.free_port(), realrun.free_port()
    repo = deploy(tmp_path, {"app.py": confined.WSGI_APP,
                             "Procfile": f"web: gunicorn --bind 127.0.0.1:{old} --workers 1 app:app\n"})
    command = lambda r: re.match(r"web:\s*(.*)", (r / "Procfile").read_text())[1]  # noqa: E731
    failed = start(repo, command(repo), new, host)
    assert failed.status is None and f"Listening at: http://127.0.0.1:{old}" in failed.output, failed.output
    (tmp_path / "heroku.log").write_text(heroku(failed.output))
    code, out, err = apply_json(tmp_path / "heroku.log", repo)
    assert code == 0 and [(c["path"], c["codemod"]) for c in out["changes"]] == [("Procfile", "bind-platform-port")], (out, err)
    review = clone(repo, tmp_path / "review", "--branch", out["branch"])
    assert command(review) == f"gunicorn --bind 0.0.0.0:${{PORT:-{old}}} --workers 1 app:app"
    fixed = start(review, command(review), new, host, timeout=15)
    assert fixed.status == 200 and fixed.body == "ok\n", fixed.output
    assert f"Listening at: http://0.0.0.0:{new}" in fixed.output


def test_a_start_script_uvicorn_on_the_loopback_listens_on_port_after_render_scans(tmp_path):
    host, old, new = host_address(), realrun.free_port(), realrun.free_port()
    repo = deploy(tmp_path, {"asgi.py": ASGI_APP, "Dockerfile": 'FROM python:3.12-slim\nCMD ["sh", "start.sh"]\n',
                             "start.sh": f"#!/bin/sh\nset -e\nexec uvicorn asgi:app --host 127.0.0.1 --port {old}\n"})
    failed = start(repo, "sh start.sh", new, host)
    assert failed.status is None and f"Uvicorn running on http://127.0.0.1:{old}" in failed.output, failed.output
    (tmp_path / "render.log").write_text(render(failed.output))
    code, out, err = apply_json(tmp_path / "render.log", repo)
    assert code == 0 and [(c["path"], c["codemod"]) for c in out["changes"]] == [("start.sh", "bind-platform-port")], (out, err)
    review = clone(repo, tmp_path / "review", "--branch", out["branch"])
    assert f"--host 0.0.0.0 --port ${{PORT:-{old}}}\n" in (review / "start.sh").read_text()
    fixed = start(review, "sh start.sh", new, host, timeout=15)
    assert fixed.status == 200 and fixed.body == "ok\n", fixed.output


@pytest.mark.parametrize("bind", ["0.0.0.0:$PORT", "unix:gunicorn.sock"])
def test_a_platform_line_beside_an_app_on_every_interface_or_a_socket_is_a_near_miss(tmp_path, bind):
    """Bound where the router can reach it (the app crashed or was slow instead), or to a unix socket a proxy
    in the same container reads: the platform's line alone says nothing to change."""
    port = realrun.free_port()
    repo = deploy(tmp_path, {"app.py": confined.WSGI_APP})
    run = start(repo, f"exec gunicorn --bind {bind} --workers 1 app:app", port, realrun.LOOPBACK, timeout=4)
    assert "Listening at: " in run.output, run.output
    found = findings(heroku(run.output))
    assert [f.kind for f in found] == ["platform-port"] and not fixable(found), found


def test_the_platform_line_alone_or_the_bound_address_alone_is_no_fix():
    text = (EXAMPLES / "heroku-gunicorn-loopback.log").read_text()
    assert not fixable(findings("\n".join(l for l in text.splitlines() if "Listening at" not in l) + "\n"))
    assert not findings("\n".join(l for l in text.splitlines() if "R10" not in l) + "\n")


@pytest.mark.parametrize("medium", sorted(MEDIA))
@pytest.mark.parametrize("name", ["heroku-gunicorn-loopback", "render-uvicorn-loopback", "cloud-run-gunicorn-loopback"])
def test_found_whatever_the_medium_did(name, medium):
    found = fixable(findings(MEDIA[medium]((EXAMPLES / f"{name}.log").read_text())))
    assert [(f.kind, f.fixes, f.facts["bound"]) for f in found] == [
        ("platform-port", ("bind-platform-port",), "http://127.0.0.1:8000")]


def test_heroku_lines_whose_timestamps_were_cut_are_read_like_whole_ones():
    text = (EXAMPLES / "heroku-gunicorn-loopback.log").read_text()
    cut = re.sub(r"(?m)^\S+ (?=(?:app|heroku)\[)", "", text)
    found = fixable(findings(cut))
    assert [f.facts["platform"] for f in found] == ["heroku"]


def test_a_space_whose_app_port_is_not_the_bound_port_is_named_beside_the_fix(tmp_path):
    repo = deploy(tmp_path, {"README.md": "---\ntitle: demo\nsdk: docker\napp_port: 7860\n---\n# demo\n",
                             "Dockerfile": "FROM python:3.12-slim\nCMD gunicorn -b 127.0.0.1:8000 app:app\n"})
    code, out, err = apply_json(EXAMPLES / "heroku-gunicorn-loopback.log", repo, "--dry-run")
    assert code == 0 and [c["path"] for c in out["changes"]] == ["Dockerfile"], (out, err)
    assert any("app_port is 7860" in n and "port 8000" in n for n in out["notes"]), out["notes"]
