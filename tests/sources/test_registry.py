"""The rooms of fixbot/sources/: found by walking the package, each one interface, none leaning on rooms or codemods."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from fixbot import sources
from fixbot.sources import _http

PACKAGE = Path(sources.__file__).parent


def test_every_public_module_is_one_source_named_after_it():
    modules = sorted(p.stem for p in PACKAGE.glob("*.py") if not p.stem.startswith("_"))
    found = sources.registry()
    assert sorted(found) == sorted(m.replace("_", "-") for m in modules)
    assert {"url", "hf-space", "render", "heroku", "fly", "k8s", "docker", "github-run"} <= set(found)
    for scheme, cls in found.items():
        assert cls.__module__ == f"fixbot.sources.{scheme.replace('-', '_')}"
        assert cls.target and cls.pattern
        assert cls.secret is None or cls.secret.isupper()
        assert cls.endpoint is None or cls.endpoint[1].startswith("https://")


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_no_source_imports_a_room_a_codemod_or_the_pipeline(path):
    tree = ast.parse(path.read_text())
    names = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    names += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    banned = ("fixbot.codemods", "fixbot.fixes", "codemods", "fixbot.apply", "fixbot.plan", "fixbot.diagnose")
    assert not [n for n in names if n.startswith(banned)], names


def test_importing_the_registry_imports_no_platform_client():
    import subprocess
    import sys

    code = ("import sys; from fixbot import sources; sources.registry(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('huggingface_hub', 'requests', 'github')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("stream, events", [
    pytest.param(b"data: one\n\ndata: two\n\n", [b"one\n", b"two\n"], id="events"),
    pytest.param(b"data: a\r\ndata: b\r\n\r\n", [b"a\nb\n"], id="crlf, two data lines"),
    pytest.param(b"data:x\r\rdata:  y\r\r", [b"x\n", b" y\n"], id="cr, one leading space taken"),
    pytest.param(b": keep-alive\n\nevent: log\nid: 7\nretry: 10\ndata: z\n\n", [b"z\n"], id="comments, fields"),
    pytest.param(b"data: last", [b"last\n"], id="closed before its blank line"),
])
def test_event_stream_framing(stream, events):
    # Split at every byte: a CR at the end of one block may be the first half of a CRLF.
    assert list(_http.sse_data(iter([stream[i:i + 1] for i in range(len(stream))]), 1 << 20)) == events
