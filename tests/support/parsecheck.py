"""Does a rewritten file still parse as what its name (or its shebang) says it is? Used by the codemod tests."""

from __future__ import annotations

import configparser
import json
import os
import subprocess
import tempfile

import yaml

from fixbot.formats.deploy.gunicorn import find_invocations
from fixbot.formats.deploy.table import format_of


def assert_parses(text: str, filename: str) -> None:
    name = os.path.basename(filename)
    if name.endswith(".py"):
        compile(text, filename, "exec")
    elif name.endswith((".yml", ".yaml")):
        list(yaml.safe_load_all(text))
    elif name.endswith(".json"):
        json.loads(text)
    elif name.endswith((".ini", ".cfg")) or (name.endswith(".conf") and not _compiles(text, filename)):
        configparser.ConfigParser(interpolation=None).read_string(text)  # a .conf that compiles is Gunicorn's
    elif getattr(format_of(text, filename), "name", None) == "shell":
        with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as f:
            f.write(text)
        try:
            result = subprocess.run(["bash", "-n", f.name], capture_output=True, text=True)
            assert result.returncode == 0, result.stderr
        finally:
            os.unlink(f.name)


def _compiles(text: str, filename: str) -> bool:
    try:
        compile(text, filename, "exec")
    except SyntaxError:
        return False
    return True


def assert_shell_fixed(text: str, filename: str = "entrypoint.sh") -> None:
    """`bash -n` passes and a fresh tree-sitter parse sees every log flag at `-`."""
    assert_parses(text, "x.sh")
    for invocation in find_invocations(text, filename):
        assert all(flag.value == "-" for flag in invocation.flags), invocation
