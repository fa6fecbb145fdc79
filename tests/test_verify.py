"""The static checks of a rewrite: each script is checked by the shell that runs it, and claims only that shell."""

from __future__ import annotations

import os
import shutil

import pytest

from fixbot.verify import VerifyFailed, check, shell_of

SH_IS = os.path.basename(os.path.realpath(shutil.which("sh") or "sh"))
HERE = f" (sh is {SH_IS} here)" if SH_IS != "sh" else ""
ARRAY = "opts=(--workers 2)\nexec gunicorn app:app \"${opts[@]}\"\n"  # bash syntax, an error for POSIX sh


@pytest.mark.parametrize(
    "name, text, shell",
    [
        pytest.param("start.sh", "#!/bin/sh\nexec gunicorn app:app\n", "sh", id="/bin/sh"),
        pytest.param("entrypoint", "#!/usr/bin/env sh\nexec gunicorn app:app\n", "sh", id="env sh"),
        pytest.param("start.sh", "#!/bin/bash\nexec gunicorn app:app\n", "bash", id="/bin/bash"),
        pytest.param("run", "#! /usr/bin/env -S bash -e\nexec gunicorn app:app\n", "bash", id="env -S bash"),
        pytest.param("start.sh", "exec gunicorn app:app\n", "sh", id="no shebang: exec runs it with /bin/sh"),
        pytest.param("start.bash", "exec gunicorn app:app\n", "bash", id=".bash"),
        pytest.param("start.sh", "#!/bin/dash\nexec gunicorn app:app\n", "dash", id="/bin/dash"),
        pytest.param("start.sh", "#!/usr/bin/python3\nprint()\n", None, id="a python script named .sh"),
        pytest.param("gunicorn.conf.py", "errorlog = '-'\n", None, id="python"),
    ],
)
def test_the_shell_of_a_script(name, text, shell):
    assert shell_of(name, text) == shell


def test_a_posix_script_claims_sh_not_bash():
    assert check("start.sh", "#!/bin/sh\nexec gunicorn app:app --error-logfile -\n").checks == (f"sh -n passes{HERE}",)
    assert check("start.sh", "#!/bin/bash\nexec gunicorn app:app --error-logfile -\n").checks == ("bash -n passes",)


def test_bash_syntax_in_a_sh_script_is_refused_by_sh():
    assert check("start.sh", "#!/bin/bash\n" + ARRAY).checks == ("bash -n passes",)
    with pytest.raises(VerifyFailed, match=r"start\.sh: sh -n rejects the rewrite: .*"):
        check("start.sh", "#!/bin/sh\n" + ARRAY)


def test_a_complaint_the_original_drew_too_is_not_the_rewrites():
    before = "#!/bin/sh\n" + ARRAY.replace("app:app", "app:app --error-logfile /l/e.log")
    [said] = check("start.sh", "#!/bin/sh\n" + ARRAY, before).checks
    assert said.startswith(f"sh -n{HERE} rejects the original as it rejects the rewrite: ")
    with pytest.raises(VerifyFailed):  # a new error is the rewrite's, whatever the original was
        check("start.sh", "#!/bin/sh\nif true; then\n", "#!/bin/sh\nexec gunicorn app:app\n")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not on this machine")
def test_a_systemd_unit_is_checked_by_systemds_own_reader():
    unit = "[Service]\nExecStart=/bin/true --log-file {}\n"
    assert check("deploy/web.service", unit.format("-"), unit.format("/l/g.log")).checks == ("systemd-analyze verify passes",)
    with pytest.raises(VerifyFailed, match=r"web\.service: systemd-analyze verify rejects the rewrite: "):
        check("web.service", unit.format('"-'), unit.format("/l/g.log"))  # unbalanced quoting
    # A deploy's unit names programs this machine lacks: what the original drew is not the rewrite's.
    away = "[Service]\nExecStart=/srv/venv/bin/gunicorn app --log-file {}\n"
    [said] = check("web.service", away.format("-"), away.format("/l/g.log")).checks
    assert said.startswith("systemd-analyze verify says nothing of the rewrite it did not say of the original: ")
    assert "/srv/venv/bin/gunicorn is not executable" in said
