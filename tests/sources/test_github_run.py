"""`github-run:ID`, which `--run-id ID` is an alias of, against the GitHub emulator: the run's zip, the same plan."""

from __future__ import annotations

import json

from tests.support.emulators import LEDGERSG_LOG
from tests.support.github_emulator import make_zip
from tests.support.sources import LEDGERSG, fixbot, one_line_refusal


def _env(github):
    return {"GITHUB_API_URL": github.api_url, "GITHUB_TOKEN": github.token, "GITHUB_REPOSITORY": github.full_name}


def test_from_github_run_and_run_id_plan_what_the_log_file_gets(github):
    github.add_run(99, zip_bytes=make_zip({"0_deploy.txt": LEDGERSG_LOG.read_text()}))
    outputs = [json.loads(fixbot("apply", *how, "--repo", str(LEDGERSG), "--dry-run", "--format", "json",
                                 env=_env(github)).stdout)
               for how in (["--from", "github-run:99"], ["--run-id", "99"])]
    assert outputs[0] == outputs[1] and outputs[0]["status"] == "fixed"
    given = json.loads(fixbot("apply", "--log", str(LEDGERSG_LOG), "--repo", str(LEDGERSG), "--dry-run",
                              "--format", "json").stdout)
    assert outputs[0]["changes"] == given["changes"] and outputs[0]["diff"] == given["diff"]
    assert outputs[0]["findings"][0]["evidence"][0]["source"] == "0_deploy.txt"  # one stream per job, as before
    assert github.token not in json.dumps(outputs)


def test_a_run_that_is_not_there_is_one_line(github):
    line = one_line_refusal(fixbot("diagnose", "--from", "github-run:12345", env=_env(github)), github.token)
    assert "run 12345" in line
