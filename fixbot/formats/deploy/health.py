"""The health checks a deploy file declares: a Dockerfile HEALTHCHECK, a compose service's `healthcheck.test`, a Kubernetes probe's `httpGet`."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

import yaml

from fixbot.formats import yaml_nodes

_URL = re.compile(r"https?://[^\s'\"\]\\,|;)`]+")
_HEALTHCHECK = re.compile(r"(?im)^[ \t]*HEALTHCHECK[ \t]+(?!NONE\b)")
_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")


@dataclass(frozen=True)
class Health:
    """One declared health check that asks a URL: where it is written and the URL it asks."""

    file: str
    line: int
    url: str


def read(file: str, text: str) -> list[Health]:
    """The health checks `file` declares that ask a URL (a check that runs a script asks none: nothing to curl)."""
    name = posixpath.basename(file).lower()
    if name.startswith(("dockerfile", "containerfile")) or name.endswith(".dockerfile"):
        return _dockerfile(file, text)
    if name.endswith((".yml", ".yaml")) and ("healthcheck" in text or "httpGet" in text):
        try:
            documents = [d for d in yaml_nodes.compose_all(text) if d is not None]
        except (yaml.YAMLError, RecursionError):
            return []  # a template (Helm) or a broken file declares nothing fixbot can read
        return [h for d in documents for h in _yaml(file, d)]
    return []


def _dockerfile(file: str, text: str) -> list[Health]:
    out = []
    for m in _HEALTHCHECK.finditer(text):
        end = text.find("\n", m.end())
        while end >= 0 and text[:end].rstrip(" \t\r").endswith("\\"):
            end = text.find("\n", end + 1)
        url = _URL.search(text, m.end(), len(text) if end < 0 else end)
        if url:
            out.append(Health(file, text.count("\n", 0, m.start()) + 1, url.group()))
    return out


def _yaml(file: str, node) -> list[Health]:
    """Compose `healthcheck: {test: …}` and Kubernetes `*Probe: {httpGet: {path, port}}`, anywhere in the document
    (a Deployment's pod template, a compose service); a named port is looked up among the document's ports."""
    out, ports, probes = [], {}, []
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.SequenceNode):
            stack += node.value
        if not isinstance(node, yaml.MappingNode):
            continue
        pairs = {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
        if isinstance(pairs.get("name"), yaml.ScalarNode) and isinstance(pairs.get("containerPort"), yaml.ScalarNode):
            ports[pairs["name"].value] = pairs["containerPort"].value
        check = pairs.get("healthcheck")
        if isinstance(check, yaml.MappingNode):
            test = {k.value: v for k, v in check.value if isinstance(k, yaml.ScalarNode)}.get("test")
            words = [test] if isinstance(test, yaml.ScalarNode) else getattr(test, "value", [])
            for word in words:
                url = _URL.search(word.value) if isinstance(word, yaml.ScalarNode) else None
                if url:
                    out.append(Health(file, word.start_mark.line + 1, url.group()))
                    break
        for key in _PROBES:
            probe = pairs.get(key)
            got = {k.value: (k, v) for k, v in probe.value if isinstance(k, yaml.ScalarNode)} if isinstance(probe, yaml.MappingNode) else {}
            key_node, http = got.get("httpGet", (None, None))
            if isinstance(http, yaml.MappingNode):
                probes.append((key_node.start_mark.line + 1, http))
        stack += [v for _, v in node.value]
    for line, http in probes:
        got = {k.value: v.value for k, v in http.value if isinstance(k, yaml.ScalarNode) and isinstance(v, yaml.ScalarNode)}
        path, port = got.get("path", "/"), ports.get(got.get("port"), got.get("port"))
        if port and str(port).isdigit() and str(path).startswith("/"):
            scheme = "https" if str(got.get("scheme", "")).upper() == "HTTPS" else "http"
            out.append(Health(file, line, f"{scheme}://127.0.0.1:{port}{path}"))
    return sorted(out, key=lambda h: h.line)
