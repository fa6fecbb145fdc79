"""YAML whose aliases expand without bound is refused as PyYAML composes it, everywhere fixbot reads YAML (issue 20)."""

from __future__ import annotations

import time

import pytest
import yaml

from fixbot.formats import Refusal, yaml_nodes
from fixbot.formats.logconfig import yaml_config
from tests.support import bounded, hostile

FIXTURE = hostile.ROOT / "tests" / "fixtures" / "logs" / "uvicorn-yaml-missing-dir.log"
LOGGED = "/srv/app/no-such-dir/access.log"  # the path that real uvicorn run failed on


def test_nodes_compose_as_pyyaml_composes_them():
    text = "a: &x {k: [1, 2]}\nb: *x\nc: 'q'\n"
    mine, theirs = yaml_nodes.compose(text), yaml.compose(text, Loader=yaml.SafeLoader)
    assert repr(mine) == repr(theirs)
    assert [repr(d) for d in yaml_nodes.compose_all("a: 1\n---\nb: *c\n".replace("*c", "2"))] == \
        [repr(d) for d in yaml.compose_all("a: 1\n---\nb: 2\n", Loader=yaml.SafeLoader)]


@pytest.mark.parametrize("text", [hostile.yaml_aliases(), "a: &a [*a, *a]\n", "&a {k0: *a, k1: *a}\n"],
                         ids=["fan-out", "a sequence inside itself", "a mapping inside itself"])
def test_aliases_that_expand_without_bound_are_refused_in_linear_time(text):
    start = time.process_time()
    with pytest.raises(yaml_nodes.TooLarge):
        yaml_nodes.compose(text)
    with pytest.raises(Refusal, match="does not parse as YAML"):
        yaml_config.handlers(text)
    assert time.process_time() - start < 0.5


def test_codemod_refuses_in_one_line(tmp_path):
    config = tmp_path / "logging.yaml"
    config.write_text(hostile.yaml_aliases())
    line = bounded.assert_one_line(bounded.fixbot("codemod", "logging-console", str(config)))
    assert "expand to more than" in line, line


def test_apply_exits_2_with_the_reason(tmp_path):
    text = hostile.yaml_aliases().replace("/var/log/app/app.log", LOGGED)
    repo = hostile.app_repo(tmp_path / "repo", {"logging.yaml": text}, "uvicorn app:app --log-config logging.yaml")
    line = bounded.assert_one_line(bounded.fixbot("apply", "--log", str(FIXTURE), "--repo", str(repo)))
    assert "logging.yaml" in line and "expand to more than" in line, line


def test_check_still_reports_the_real_finding_beside_it(tmp_path):
    repo = hostile.ledgersg_with(tmp_path / "repo", {"logging.yaml": hostile.yaml_aliases(),
                                                     "docker-compose.yml": "x: " + hostile.yaml_aliases()[3:]},
                                 "uvicorn worker:app --log-config /app/logging.yaml")
    ran = bounded.assert_bounded(bounded.fixbot("check", str(repo)))
    assert ran.returncode == 1 and "apps/backend/config/settings/service.py:28" in ran.stdout, ran
    assert "logging.yaml" not in ran.stdout, "what cannot be read gets no finding"
    fixed = bounded.assert_bounded(bounded.fixbot("check", str(repo), "--fix"))
    assert "fixed: apps/backend/config/settings/service.py" in fixed.stderr, fixed
