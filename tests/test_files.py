"""Source files that are not plain UTF-8 but are valid Python: a UTF-8 BOM, or a PEP 263 cookie
(`# -*- coding: latin-1 -*-`). fixbot reads them as Python does and writes them back in their own encoding:
every byte outside the edit is the byte that was there, and the fixed settings module still imports."""

from __future__ import annotations

import functools
import codecs
import json
import subprocess
from pathlib import Path

import pytest

from fixbot import codemods
from fixbot import files
from fixbot.errors import BadInput
from tests.support import realrun
from tests.support.repos import clone, commit_all
from tests.support.repos import git_out as git, snapshot
from tests.support.cli import fixbot as run_fixbot

fixbot = functools.partial(run_fixbot, text=False)  # bytes in and out

TITLE = "Café crème"  # é and è are one byte each in latin-1, two in UTF-8
# (bytes before the text, the codec of the text)
ENCODINGS = {
    "utf-8 BOM": (codecs.BOM_UTF8, "utf-8"),
    "latin-1 cookie": (b"# -*- coding: latin-1 -*-\n", "latin-1"),
    "latin-1 vim modeline": (b"#!/usr/bin/env python\n# vim: set fileencoding=latin-1 :\n", "latin-1"),
}
SETTINGS = f"# {TITLE}\nSITE_TITLE = {TITLE!r}\n" + realrun.file_logging("/var/log/app/api.log")


def encoded(text: str, kind: str) -> bytes:
    head, codec = ENCODINGS[kind]
    return head + text.encode(codec)


def assert_one_line(result: subprocess.CompletedProcess, code: int) -> str:
    err = result.stderr.decode(errors="replace")
    assert result.returncode == code and err.count("\n") == 1 and "Traceback" not in err, (result.returncode, err)
    return err


@pytest.mark.parametrize("kind", ENCODINGS)
@pytest.mark.parametrize("codemod", ["logging-console", "logging-path"])
def test_codemod_writes_the_file_back_in_its_own_encoding(tmp_path, kind, codemod):
    settings = tmp_path / "settings.py"
    settings.write_bytes(encoded(SETTINGS, kind))
    # What the same file in plain UTF-8 becomes, encoded as the file is: only the edit differs from the original.
    expected = encoded(codemods.get(codemod).rewrite(SETTINGS, str(settings)), kind)
    assert fixbot("codemod", codemod, str(settings), "--check").returncode == 1
    assert fixbot("codemod", codemod, str(settings)).returncode == 0
    assert settings.read_bytes() == expected
    assert fixbot("codemod", codemod, str(settings), "--check").returncode == 0


def test_diff_of_a_bom_file_applies_with_git(tmp_path):
    settings = tmp_path / "settings.py"
    settings.write_bytes(encoded("import os\n" + SETTINGS, "utf-8 BOM"))
    diff = fixbot("codemod", "logging-console", str(settings), "--diff")
    assert diff.returncode == 0 and diff.stdout.startswith(b"--- a/")
    patch = tmp_path / "fix.patch"
    patch.write_bytes(diff.stdout.replace(f"a/{settings}".encode(), b"a/settings.py")
                      .replace(f"b/{settings}".encode(), b"b/settings.py"))
    git(tmp_path, "init", "-q")
    git(tmp_path, "apply", "-p1", str(patch))
    fixed = codemods.get("logging-console").rewrite("import os\n" + SETTINGS)
    assert settings.read_bytes() == encoded(fixed, "utf-8 BOM")


@pytest.mark.parametrize(
    ("name", "before", "after"),
    [
        ("start.sh", "#!/bin/sh\nexec gunicorn app:app --error-logfile /var/log/x/e.log\n",
         "#!/bin/sh\nexec gunicorn app:app --error-logfile -\n"),
        ("Procfile", "web: gunicorn app:app --error-logfile /var/log/x/e.log\n",
         "web: gunicorn app:app --error-logfile -\n"),
        ("gunicorn.conf.py", "errorlog = '/var/log/x/e.log'\n", "errorlog = '-'\n"),
    ],
)
def test_gunicorn_files_with_a_bom_keep_it(tmp_path, name, before, after):
    # The BOM is not part of the first line: a Procfile's first process and a script's shebang are still seen.
    path = tmp_path / name
    path.write_bytes(codecs.BOM_UTF8 + f"# {TITLE}\n".encode() * (name != "Procfile") + before.encode())
    assert fixbot("codemod", "gunicorn-stdout", str(path)).returncode == 0
    assert path.read_bytes() == codecs.BOM_UTF8 + f"# {TITLE}\n".encode() * (name != "Procfile") + after.encode()


def test_gunicorn_config_module_in_latin_1(tmp_path):
    path = tmp_path / "gunicorn.conf.py"
    path.write_bytes(encoded(f"# {TITLE}\nerrorlog = '/var/log/x/e.log'\n", "latin-1 cookie"))
    assert fixbot("codemod", "gunicorn-stdout", str(path)).returncode == 0
    assert path.read_bytes() == encoded(f"# {TITLE}\nerrorlog = '-'\n", "latin-1 cookie")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (f"# {TITLE}\n".encode("latin-1") + SETTINGS.encode(), "not UTF-8 text"),  # no cookie: Python says the same
        (b"# -*- coding: klingon -*-\n" + SETTINGS.encode(), "unknown encoding: klingon"),
        (codecs.BOM_UTF8 + b"# -*- coding: latin-1 -*-\n" + SETTINGS.encode(), "encoding problem"),
        (b"# coding: utf-16\n" + SETTINGS.encode(), "utf-16"),
    ],
    ids=["latin-1 without a cookie", "unknown codec", "BOM against the cookie", "a codec that does not read back"],
)
def test_undecodable_settings_are_refused_in_one_line(tmp_path, data, message):
    settings = tmp_path / "settings.py"
    settings.write_bytes(data)
    line = assert_one_line(fixbot("codemod", "logging-console", str(settings)), 2)
    assert str(settings) in line and message in line, line
    assert settings.read_bytes() == data


def test_a_fix_the_encoding_cannot_hold_is_refused_and_writes_nothing(tmp_path):
    path = tmp_path / "settings.py"
    data = encoded(SETTINGS, "latin-1 cookie")
    path.write_bytes(data)
    text, encoding = files.read_source(str(path))
    line = text[: text.index("INFO")].count("\n") + 1
    message = rf"settings\.py: the rewrite has characters latin-1 cannot hold \(line {line}\)"
    with pytest.raises(BadInput, match=message):
        files.encode(str(path), text.replace("INFO", "INFO ✓"), encoding)
    assert path.read_bytes() == data


# --- fixbot apply, on a real project whose boot really failed -----------------------------------------------


@pytest.fixture(params=[k for k in ENCODINGS if "modeline" not in k])
def failing(request, tmp_path) -> tuple[realrun.Project, Path, str]:
    return make_failing(tmp_path, request.param)


def make_failing(tmp_path: Path, kind: str) -> tuple[realrun.Project, Path, str]:
    """A committed Django project whose settings file is in `kind`, and the log of its real failed check."""
    project = realrun.make_django_project(
        tmp_path / "repo", logging_source=realrun.file_logging(str(tmp_path / "missing" / "api.log"))
    )
    text = project.logging_file.read_text()
    project.logging_file.write_bytes(encoded(f"# {TITLE}\nSITE_TITLE = {TITLE!r}\n" + text, kind))
    run = realrun.run_manage_check(project)
    assert run.returncode == 1 and "Unable to configure handler 'file'" in run.output, run.output
    log = tmp_path / "check.log"
    log.write_text(run.output)
    commit_all(project.root)
    return project, log, kind


def test_apply_commits_the_fix_in_the_files_encoding_and_it_imports(failing, tmp_path):
    project, log, kind = failing
    path = project.logging_file.relative_to(project.root).as_posix()
    original = project.logging_file.read_bytes()
    before = snapshot(project.root)

    dry = fixbot("apply", "--log", str(log), "--repo", str(project.root), "--dry-run")
    assert dry.returncode == 0 and f"+++ b/{path}".encode() in dry.stdout, dry.stderr
    assert snapshot(project.root) == before

    result = fixbot("apply", "--log", str(log), "--repo", str(project.root), "--format", "json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert [c["path"] for c in out["changes"]] == [path]
    committed = subprocess.run(["git", "show", f"{out['branch']}:{path}"], cwd=project.root, capture_output=True,
                               check=True).stdout
    head, codec = ENCODINGS[kind]
    text = original[len(head):].decode(codec)
    assert committed == encoded(codemods.get("logging-console").rewrite(text, path), kind)
    assert dry.stdout.decode().count("\n+") == json.loads(result.stdout)["diff"].count("\n+")

    review = clone(project.root, tmp_path / "review", "--branch", out["branch"])
    backend = review / project.backend.relative_to(project.root)
    title = realrun.run_manage_check(
        backend, ["shell", "-c", "from django.conf import settings; print(ascii(settings.SITE_TITLE))"],
        env=project.env(),
    )
    assert title.returncode == 0 and ascii(TITLE) in title.output, title.output


def test_apply_refuses_a_fix_the_encoding_cannot_hold(tmp_path):
    project, log, _ = make_failing(tmp_path, "latin-1 cookie")
    (project.root / "entrypoint.sh").write_text("#!/bin/sh\nmkdir -p /var/log/ログ\n")  # logging-path's directory
    commit_all(project.root, "entrypoint")
    before = snapshot(project.root)
    for dry in ([], ["--dry-run"]):
        result = fixbot("apply", "--log", str(log), "--repo", str(project.root), "--codemod", "logging-path", *dry)
        line = assert_one_line(result, 2)
        assert "latin-1 cannot hold" in line, line
    assert snapshot(project.root) == before
