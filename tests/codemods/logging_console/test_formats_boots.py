"""Real boots of uvicorn (YAML), Gunicorn (INI, JSON) and a plain WSGI script (JSON): each dies on its file handler,
`fixbot codemod logging-console` rewrites the config, and the same command then boots, answers and keeps the
config's comments."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.support import formatsrun, realrun

FIXBOT = str(realrun.VENV_BIN / "fixbot")


@pytest.mark.parametrize(
    "make, run, failure",
    [
        pytest.param(formatsrun.make_uvicorn, formatsrun.run_uvicorn,
                     r"FileNotFoundError: .*access\.log'[\s\S]*ValueError: Unable to configure handler 'file'", id="uvicorn --log-config logging.yaml"),
        pytest.param(formatsrun.make_gunicorn, formatsrun.run_gunicorn,
                     r"_install_handlers[\s\S]*FileNotFoundError: .*gunicorn\.error\.log'\s*$", id="gunicorn --log-config logging.ini"),
        pytest.param(formatsrun.make_gunicorn_json, formatsrun.run_gunicorn_json,
                     r"Unable to configure handler 'error_file'", id="gunicorn --log-config-json logging.json, no version"),
        pytest.param(formatsrun.make_plain, formatsrun.run_plain,
                     r"FileNotFoundError: .*app\.log'[\s\S]*serve\.py[\s\S]*ValueError: Unable to configure handler 'file'", id="dictConfig(json.load(open('logging.json')))"),
    ],
)
def test_the_rewritten_config_boots_and_keeps_its_comments(tmp_path, make, run, failure):
    config = make(tmp_path / "app", str(tmp_path / "no-such-dir"))
    before = config.read_text()

    failed = run(config.parent)
    assert not failed.booted and failed.returncode not in (0, None), failed.output
    assert re.search(failure, failed.output), failed.output

    done = subprocess.run([FIXBOT, "codemod", "logging-console", str(config)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    after = config.read_text()
    assert after != before
    comments = [line.strip() for line in before.splitlines() if line.lstrip().startswith(("#", ";"))]
    assert (comments or config.suffix == ".json") and all(c in after for c in comments)  # JSON has none
    assert "# the volume mounted in production" not in after  # went with its removed line (YAML only had one)

    booted = run(config.parent)
    assert booted.status == 200 and booted.body == "ok", booted.output
    assert not (tmp_path / "no-such-dir").exists()
