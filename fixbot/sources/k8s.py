"""`k8s:NAMESPACE/DEPLOYMENT`: the previous container's log of each crash-looping pod of a Deployment, via `kubectl`.

kubectl, not the Python client: it is on GitHub's runners and wherever the deploy ran `kubectl apply`, and it
speaks every way a kubeconfig authenticates (exec plugins for EKS, GKE and AKS, OIDC, client certificates), which
the Python client would bring in with a dozen more packages to the Action's lock. fixbot uses it as the transport
only: `kubectl get --raw PATH` is one authenticated GET of the cluster's API, with no discovery, and its answers
are the API's own JSON (the Deployment's selector, the PodList, a pod's `log?previous=true`). Only names that
passed DNS-1123's rules and the cluster's own answers reach its command line; nothing from a log does.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Iterator
from urllib.parse import quote, urlencode

from fixbot.sources import Source, SourceError, State

_FAILING = {"CrashLoopBackOff", "Error", "RunContainerError"}


class K8s(Source):
    target = "NAMESPACE/DEPLOYMENT"
    pattern = r"[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?/[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?"
    secret = None  # the kubeconfig kubectl reads (KUBECONFIG, ~/.kube/config) holds the cluster's credentials
    watches = "the Deployment's rollout and its pods"

    def _raw(self, path: str, *, text: bool = False):
        kubectl = shutil.which("kubectl", path=self.env.get("PATH"))
        if kubectl is None:
            raise SourceError(f"{self}: kubectl is not on PATH; fixbot reads the cluster through it")
        timeout = max(1, int(self.bounds.timeout))
        try:
            done = subprocess.run([kubectl, "get", "--raw", path, f"--request-timeout={timeout}s"],
                                  capture_output=True, env=self.env, timeout=self.bounds.timeout + 5)
        except subprocess.TimeoutExpired:
            raise SourceError(f"{self}: kubectl got no answer within {self.bounds.timeout:g} s") from None
        if done.returncode != 0:
            said = next((line for line in done.stderr.decode("utf-8", "replace").splitlines() if line.strip()),
                        f"kubectl exited with {done.returncode}")
            raise SourceError(f"{self}: {' '.join(said.split())[:300]}")
        if text:
            return done.stdout[: self.bounds.max_bytes]
        try:
            return json.loads(done.stdout)
        except ValueError:
            raise SourceError(f"{self}: the cluster's answer to {path} is not JSON") from None

    def _deployment(self) -> dict:
        namespace, name = self.value.split("/")
        found = self._raw(f"/apis/apps/v1/namespaces/{namespace}/deployments/{name}")
        return found if isinstance(found, dict) else {}

    def _pods(self, deployment: dict) -> list[dict]:
        namespace = self.value.split("/")[0]
        labels = ((deployment.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
        if not labels:
            raise SourceError(f"{self}: the Deployment has no matchLabels selector to find its pods by")
        selector = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
        pods, token = [], ""
        for _ in range(100):
            query = urlencode({"labelSelector": selector, "limit": 100, **({"continue": token} if token else {})})
            listed = self._raw(f"/api/v1/namespaces/{namespace}/pods?{query}")
            pods += [p for p in listed.get("items") or [] if isinstance(p, dict)]
            token = (listed.get("metadata") or {}).get("continue")
            if not token:
                break
        return pods

    def chunks(self) -> Iterator[bytes]:
        namespace = self.value.split("/")[0]
        read = 0
        for pod, container, previous, why in _failing(self._pods(self._deployment())):
            self.notes.append(f"{self}: pod {pod} container {container} is {why}: reading its"
                              f" {'previous' if previous else 'last'} log")
            query = urlencode({"container": container, "previous": str(previous).lower(),
                               "limitBytes": self.bounds.max_bytes})
            log = self._raw(f"/api/v1/namespaces/{namespace}/pods/{quote(pod)}/log?{query}", text=True)
            read += 1
            yield log if log.endswith(b"\n") or not log else log + b"\n"
        if not read:
            raise SourceError(f"{self}: no pod of the Deployment is crash-looping or failed: no log to read")

    def state(self) -> State:
        deployment = self._deployment()
        spec, status = deployment.get("spec") or {}, deployment.get("status") or {}
        for condition in status.get("conditions") or []:
            if condition.get("type") == "Progressing" and condition.get("reason") == "ProgressDeadlineExceeded":
                return State("failed", "ProgressDeadlineExceeded")
        failing = list(_failing(self._pods(deployment)))
        if failing:
            pod, container, _, why = failing[0]
            return State("failed", f"pod {pod} container {container} {why}")
        wanted = spec.get("replicas", 1)
        done = (status.get("observedGeneration", 0) >= (deployment.get("metadata") or {}).get("generation", 0)
                and status.get("updatedReplicas", 0) == wanted and status.get("availableReplicas", 0) == wanted
                and not status.get("unavailableReplicas"))
        detail = f"{status.get('updatedReplicas', 0)}/{wanted} updated, {status.get('availableReplicas', 0)} available"
        return State("running" if done else "pending", detail)


def _failing(pods: list[dict]) -> Iterator[tuple[str, str, bool, str]]:
    """(pod, container, whether its previous container's log is the one, why) for each failing container."""
    for pod in pods:
        name = (pod.get("metadata") or {}).get("name") or "?"
        for status in (pod.get("status") or {}).get("containerStatuses") or []:
            state = status.get("state") or {}
            waiting = (state.get("waiting") or {}).get("reason")
            ended = (status.get("lastState") or {}).get("terminated") or {}
            now = state.get("terminated") or {}
            if waiting in _FAILING and ended:
                yield name, status.get("name", "?"), True, f"{waiting} (exit code {ended.get('exitCode', '?')})"
            elif now and now.get("exitCode", 0) != 0:
                yield name, status.get("name", "?"), False, f"terminated (exit code {now.get('exitCode')})"
