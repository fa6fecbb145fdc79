"""detect-secrets' patterns come from the cache once an installed copy has been read, and are the same patterns."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from fixbot import ruleset

# A fresh interpreter: a token redacted, the patterns it redacts with, and whether it imported detect-secrets to get them.
_PROBE = ("import json, sys\nfrom fixbot import redact, ruleset\n"
          "assert redact.redact('token ghp_' + 'a1B2' * 9) == 'token ***'\n"
          "print(json.dumps([[r.pattern, r.flags] for r in ruleset.patterns()]))\n"
          "print('detect_secrets' in sys.modules)\n")


def _run(cache) -> tuple[list, bool]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, env=env, timeout=60, check=True)
    patterns, imported = done.stdout.splitlines()
    return json.loads(patterns), imported == "True"


def test_the_second_run_reads_the_cache_and_redacts_with_the_same_patterns(tmp_path):
    first, imported_first = _run(tmp_path)
    second, imported_second = _run(tmp_path)
    assert imported_first and not imported_second
    assert first == second and len(first) >= 40
    assert first == [[p, f] for p, f in ruleset._imported()]  # a plain import of the plugins gives these too


@pytest.mark.parametrize("written", ["", "{not json", "[]", '[["(unclosed", 0]]', '[["a", "flags"]]', '{"a": 1}'])
def test_a_cache_that_cannot_be_trusted_is_read_again_from_detect_secrets(tmp_path, written):
    fresh, _ = _run(tmp_path / "fresh")
    [path] = (tmp_path / "fresh").rglob("patterns-*.json")
    broken = tmp_path / "broken" / path.relative_to(tmp_path / "fresh")
    broken.parent.mkdir(parents=True)
    broken.write_text(written)
    patterns, imported = _run(tmp_path / "broken")
    assert imported and patterns == fresh


def test_a_cache_that_cannot_be_written_costs_the_import_and_nothing_else(tmp_path):
    (tmp_path / "file").write_text("")  # a cache home that is a file: nothing can be made under it
    patterns, imported = _run(tmp_path / "file")
    assert imported and len(patterns) >= 40


@pytest.mark.parametrize("how", ["a directory anyone may write", "another user's file"])
def test_a_weakened_cache_another_user_could_write_is_not_trusted(tmp_path, how):
    # XDG_CACHE_HOME=/tmp/.cache is what the home-cache room sets: there another user could leave patterns that
    # match nothing, and a token would be printed, committed and posted unredacted.
    fresh, _ = _run(tmp_path / "fresh")
    [path] = (tmp_path / "fresh").rglob("patterns-*.json")
    weak = tmp_path / "weak" / path.relative_to(tmp_path / "fresh")
    weak.parent.mkdir(parents=True)
    weak.write_text('[["never matches anything", 0]]')
    if how == "a directory anyone may write":
        weak.parent.chmod(0o777)
    else:
        if os.getuid() != 0:
            pytest.skip("needs root to give the file to another user")
        os.chown(weak, 65534, 65534)
    patterns, imported = _run(tmp_path / "weak")  # _PROBE asserts the token is redacted
    assert imported and patterns == fresh


def test_a_cache_whose_write_fails_leaves_no_temporary_file(tmp_path):
    fresh, _ = _run(tmp_path / "fresh")
    [path] = (tmp_path / "fresh").rglob("patterns-*.json")
    blocked = tmp_path / "blocked" / path.relative_to(tmp_path / "fresh")
    blocked.mkdir(parents=True)  # a directory where the file goes: the rename after the temporary file fails
    patterns, imported = _run(tmp_path / "blocked")
    assert imported and patterns == fresh
    assert sorted(p.name for p in blocked.parent.iterdir()) == [blocked.name]
