"""The Kubernetes API on 127.0.0.1, as far as `kubectl get --raw` reads it: a Deployment, its pods and their logs.

Built from the API reference (https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/deployment-v1/:
`GET /apis/apps/v1/namespaces/{namespace}/deployments/{name}`, `spec.selector.matchLabels`, `status` with
`observedGeneration`, `updatedReplicas`, `availableReplicas` and `conditions` such as Progressing/
ProgressDeadlineExceeded; https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/: `GET
/api/v1/namespaces/{namespace}/pods?labelSelector=&limit=&continue=` answering a PodList whose `metadata.continue`
pages it, `containerStatuses` with `state.waiting.reason` CrashLoopBackOff and `lastState.terminated.exitCode`, and
`GET …/pods/{name}/log?container=&previous=true&limitBytes=`), and failures as `Status` objects (reason NotFound,
Unauthorized; https://kubernetes.io/docs/reference/using-api/api-concepts/). kubectl reaches it over HTTPS through a
kubeconfig whose cluster `server:` is this emulator (its self-signed certificate the cluster's authority) and whose
user has a bearer `token:`.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.emulators import LEDGERSG_LOG, Emulator, Reply, Request, json_reply


def status(code: int, reason: str, message: str) -> Reply:
    return json_reply({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                       "message": message, "reason": reason, "code": code}, code)


class KubeEmulator(Emulator):
    token = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImVtdWxhdG9yIn0.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6Zml4Ym90In0.c2ln"

    def __init__(self, certificate: Path) -> None:
        super().__init__()
        self.certificate = certificate  # kubectl sends a bearer token over TLS only, as a real API server has it
        self.deployments: dict[str, dict] = {}

    def add_deployment(self, namespace: str, name: str, pods: list[list[str]], log: Path = LEDGERSG_LOG) -> dict:
        """`pods`: the pods' states (crashloop, running, starting) at each read of the Deployment; the previous log
        of a crash is `log`."""
        deployment = {"namespace": namespace, "name": name, "pods": pods, "polls": 0, "log": log.read_bytes()}
        self.deployments[f"{namespace}/{name}"] = deployment
        return deployment

    def kubeconfig(self, where: Path, token: str | None = None) -> Path:
        import base64

        authority = base64.b64encode(self.certificate.read_bytes()).decode()
        where.write_text(
            "apiVersion: v1\nkind: Config\ncurrent-context: emulator\n"
            f"clusters:\n- name: emulator\n  cluster:\n    server: {self.url}\n"
            f"    certificate-authority-data: {authority}\n"
            f"users:\n- name: fixbot\n  user:\n    token: {token or self.token}\n"
            "contexts:\n- name: emulator\n  context:\n    cluster: emulator\n    user: fixbot\n")
        return where

    def unauthorized(self, request: Request) -> Reply:
        return status(401, "Unauthorized", "Unauthorized")

    def _pods(self, deployment: dict) -> list[dict]:
        states = deployment["pods"][min(max(deployment["polls"] - 1, 0), len(deployment["pods"]) - 1)]
        pods = []
        for n, state in enumerate(states):
            container = {"name": "web", "image": "ledgersg:1", "ready": state == "running",
                         "restartCount": 4 if state == "crashloop" else 0}
            if state == "crashloop":
                container["state"] = {"waiting": {"reason": "CrashLoopBackOff",
                                                  "message": "back-off 1m20s restarting failed container"}}
                container["lastState"] = {"terminated": {"exitCode": 3, "reason": "Error"}}
            elif state == "running":
                container["state"] = {"running": {"startedAt": "2026-12-01T05:46:00Z"}}
            else:
                container["state"] = {"waiting": {"reason": "ContainerCreating"}}
            pods.append({"metadata": {"name": f"{deployment['name']}-7d4b9c8f6-{n:05d}",
                                      "labels": {"app": deployment["name"]}},
                         "status": {"phase": "Running" if state != "starting" else "Pending",
                                    "containerStatuses": [container]}})
        return pods

    def route(self, request: Request) -> Reply:
        parts = request.path.strip("/").split("/")
        if parts[:4] == ["apis", "apps", "v1", "namespaces"] and len(parts) == 7 and parts[5] == "deployments":
            deployment = self.deployments.get(f"{parts[4]}/{parts[6]}")
            if deployment is None:
                return status(404, "NotFound", f'deployments.apps "{parts[6]}" not found')
            # Each read of the Deployment is a poll: the pods listed after it are in that poll's states.
            states = deployment["pods"][min(deployment["polls"], len(deployment["pods"]) - 1)]
            deployment["polls"] += 1
            ready = sum(s == "running" for s in states)
            return json_reply({
                "kind": "Deployment", "apiVersion": "apps/v1",
                "metadata": {"name": parts[6], "namespace": parts[4], "generation": 2},
                "spec": {"replicas": len(states), "selector": {"matchLabels": {"app": parts[6]}}},
                "status": {"observedGeneration": 2, "replicas": len(states), "updatedReplicas": len(states),
                           "readyReplicas": ready, "availableReplicas": ready,
                           **({"unavailableReplicas": len(states) - ready} if ready < len(states) else {}),
                           "conditions": [{"type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated"}]},
            })
        if parts[:3] == ["api", "v1", "namespaces"] and len(parts) >= 5 and parts[4] == "pods":
            deployment = next((d for d in self.deployments.values() if d["namespace"] == parts[3]), None)
            if deployment is None:
                return status(404, "NotFound", f'namespaces "{parts[3]}" not found')
            if len(parts) == 5:
                pods = self._pods(deployment)
                offset = int(request.arg("continue") or 0)
                page = pods[offset:offset + 1]  # one pod a page: every list is paged
                more = offset + 1 < len(pods)
                return json_reply({"kind": "PodList", "apiVersion": "v1",
                                   "metadata": {"resourceVersion": "1234", **({"continue": str(offset + 1)} if more else {})},
                                   "items": page})
            if len(parts) == 7 and parts[6] == "log":
                if request.arg("previous") != "true":
                    return status(400, "BadRequest", "the emulator keeps only the previous container's log")
                most = int(request.arg("limitBytes") or 1 << 30)
                return Reply(200, deployment["log"][:most], {"Content-Type": "text/plain"})
        return status(404, "NotFound", "the server could not find the requested resource")
