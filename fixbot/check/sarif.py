"""SARIF 2.1.0 for `fixbot check --format sarif`, in the shape GitHub code scanning takes."""

from __future__ import annotations

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO = "https://github.com/fixbot/fixbot#fixbot-check"


def sarif(findings, rules: dict[str, str], fix_command) -> dict:
    """One run, tool `fixbot`, one rule per kind of finding, each finding a result at its file and line."""
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
            "columnKind": "utf16CodeUnits",
            "results": [{
                "ruleId": f.rule,
                "ruleIndex": ids.index(f.rule),
                "level": "warning" if f.rule == "gunicorn-output-in-file" else "error",
                "message": {"text": f"{f.evidence}. Fix: {fix_command(f)}"},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": f.path, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": f.line},
                }}],
                "partialFingerprints": {"fixbotSite/v1": f"{f.rule}:{f.path}:{f.log_path}"},
            } for f in findings],
        }],
    }
