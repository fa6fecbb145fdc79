"""SARIF 2.1.0 for `fixbot check --format sarif`, in the shape GitHub code scanning takes."""

from __future__ import annotations

from fixbot import commands

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO = "https://github.com/fixbot/fixbot#fixbot-check"


def sarif(findings, rules: dict[str, str], not_judged=()) -> dict:
    """One run, tool `fixbot`, one rule per kind of finding, each finding a result at its file and line; each site
    not judged a tool execution notification at its file and line, with the reason."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        tool_version = version("fixbot")
    except PackageNotFoundError:  # pragma: no cover - run from a checkout without installing
        tool_version = "0"
    ids = list(rules)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "fixbot",
                "version": tool_version,
                "informationUri": INFO,
                "rules": [{
                    "id": rule,
                    "name": "".join(w.title() for w in rule.split("-")),
                    "shortDescription": {"text": text},
                    "fullDescription": {"text": text},
                    "defaultConfiguration": {"level": "warning" if rule == "gunicorn-output-in-file" else "error"},
                    "help": {"text": "Run `fixbot check --fix` to apply the codemod named in the message."},
                } for rule, text in rules.items()],
            }},
            "invocations": [{
                "executionSuccessful": True,
                "toolExecutionNotifications": [{
                    "descriptor": {"id": "not-judged"},
                    "level": "note",
                    "message": {"text": f"not judged: {n.why}"},
                    "locations": [{"physicalLocation": {
                        "artifactLocation": {"uri": n.path, "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": max(1, n.line)},
                    }}],
                } for n in not_judged],
            }],
            "columnKind": "utf16CodeUnits",
            "results": [{
                "ruleId": f.rule,
                "ruleIndex": ids.index(f.rule),
                "level": "warning" if f.rule == "gunicorn-output-in-file" else "error",
                "message": {"text": f"{f.evidence}. Fix: {commands.fixbot('codemod', f.codemod, f.path)}"},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": f.path, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": f.line},
                }}],
                "partialFingerprints": {"fixbotSite/v1": f"{f.rule}:{f.path}:{f.log_path}"},
            } for f in findings],
        }],
    }
