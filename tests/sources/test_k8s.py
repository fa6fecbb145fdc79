"""`k8s:NAMESPACE/DEPLOYMENT` through the real kubectl against the Kubernetes API emulator (HTTPS, a bearer token
from a kubeconfig): the previous log of each crash-looping pod, and the rollout for watch."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.support.emulators import LEDGERSG_LOG, self_signed
from tests.support.emulators.kube import KubeEmulator
from tests.support.sources import LEDGERSG, assert_same_plan, fixbot, one_line_refusal, plans

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not on this machine")


@pytest.fixture
def kube(tmp_path):
    emulator = KubeEmulator(self_signed(tmp_path)).start()
    yield emulator
    emulator.stop()
    assert emulator.errors == []


def _env(kube, tmp_path, token=None):
    return {"KUBECONFIG": str(kube.kubeconfig(tmp_path / "kubeconfig", token))}


def test_a_crash_looping_pod_gets_the_plan_its_previous_log_gets(kube, tmp_path):
    kube.add_deployment("prod", "ledgersg", [["running", "crashloop"]])
    fetched, given = plans("k8s:prod/ledgersg", LEDGERSG_LOG, LEDGERSG, _env(kube, tmp_path))
    plan = assert_same_plan(fetched, given, kube.token)
    assert plan["warnings"] == ["k8s:prod/ledgersg: pod ledgersg-7d4b9c8f6-00001 container web is CrashLoopBackOff"
                                " (exit code 3): reading its previous log"]
    (log,) = kube.calls("/log$")
    assert log.arg("previous") == "true" and log.arg("container") == "web" and log.arg("limitBytes") == str(64 << 20)
    assert len(kube.calls("/pods$")) == 2  # the PodList came in two pages
    assert all(r.headers["authorization"] == f"Bearer {kube.token}" for r in kube.calls("^/api"))


@pytest.mark.parametrize("spec, token, said", [
    pytest.param("k8s:prod/ledgersg", "wrong-token", "You must be logged in to the server (Unauthorized)", id="401"),
    pytest.param("k8s:prod/billing", None, 'Error from server (NotFound): deployments.apps "billing" not found',
                 id="404"),
    pytest.param("k8s:prod/Ledger_SG", None, "the target must be NAMESPACE/DEPLOYMENT", id="bad name"),
])
def test_a_refusal_is_one_line_and_exit_2(kube, tmp_path, spec, token, said):
    kube.add_deployment("prod", "ledgersg", [["crashloop"]])
    line = one_line_refusal(fixbot("diagnose", "--from", spec, env=_env(kube, tmp_path, token)), kube.token)
    assert said in line, line


def test_a_deployment_whose_pods_all_run_has_no_log_to_read(kube, tmp_path):
    kube.add_deployment("prod", "ledgersg", [["running", "running"]])
    line = one_line_refusal(fixbot("diagnose", "--from", "k8s:prod/ledgersg", env=_env(kube, tmp_path)))
    assert "no pod of the Deployment is crash-looping or failed" in line


def test_watch_follows_the_rollout_to_a_crash_loop_and_fixes_it(kube, tmp_path, ledgersg_repo):
    deployment = kube.add_deployment("prod", "ledgersg", [["starting", "starting"], ["running", "starting"],
                                                          ["running", "crashloop"]])
    done = fixbot("watch", "--from", "k8s:prod/ledgersg", "--repo", str(ledgersg_repo), "--interval", "0.1",
                  "--format", "json", env=_env(kube, tmp_path))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "fixed"
    assert "pod ledgersg-7d4b9c8f6-00001 container web CrashLoopBackOff (exit code 3) (failed; poll 3" in done.stderr
    assert deployment["polls"] == 4  # three watched, one more to read the log


def test_watch_ends_when_the_rollout_is_complete(kube, tmp_path):
    kube.add_deployment("prod", "ledgersg", [["starting"], ["running"]])
    done = fixbot("watch", "--from", "k8s:prod/ledgersg", "--repo", str(LEDGERSG), "--interval", "0.1",
                  env=_env(kube, tmp_path))
    assert done.returncode == 0 and done.stdout == "", done.stderr
    assert "1/1 updated, 1 available (running; poll 2" in done.stderr
