"""Render findings and results for each audience: terminal text, JSON, GitHub annotations and step summary.

Everything quoted from a log passes through `fixbot.redact` here, at the one place where it leaves fixbot: findings
through `redacted`, and every other log-derived string (a step's `why`, notes, warnings, an error) through `redact`
as it is rendered. In Markdown (the PR body, the step summary) log text is also made inert: `md_text` for prose,
`code` for a value in a code span, `fence` for a block.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any, Iterable

from fixbot.colour import Paint
from fixbot.model import Evidence, Finding, Result
from fixbot.redact import inert, redact

_PLAIN = Paint(False)


# A log can hold hundreds of findings (one per handler, path or worker): the terminal, the annotations and the
# step summary show this many, then say how many more there are; JSON lists them all.
FINDINGS_SHOWN = 20


def _shown(findings: list[Finding]) -> tuple[list[Finding], str]:
    """The findings to render, and the line that says how many are left out ("" if none)."""
    more = len(findings) - FINDINGS_SHOWN
    if more <= 0:
        return findings, ""
    return findings[:FINDINGS_SHOWN], f"…and {more} more findings (fixbot diagnose --format json lists them all)"


def redacted(findings: Iterable[Finding]) -> list[Finding]:
    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return redact(value)
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return [
        dataclasses.replace(
            f,
            summary=redact(f.summary),
            facts={k: clean(v) for k, v in f.facts.items()},
            evidence=tuple(dataclasses.replace(e, text=redact(e.text)) for e in f.evidence),
        )
        for f in findings
    ]


def _evidence_json(e: Evidence) -> dict[str, Any]:
    out: dict[str, Any] = {"line": e.line, "text": e.text}
    if e.source is not None:
        out["source"] = e.source
    return out


def finding_json(f: Finding) -> dict[str, Any]:
    return {
        "kind": f.kind,
        "summary": f.summary,
        "facts": f.facts,
        "evidence": [_evidence_json(e) for e in f.evidence],
        "fixes": list(f.fixes),
        "occurrences": f.occurrences,
    }


def to_json(value: dict[str, Any]) -> str:
    """JSON the runner reads no command from: `##[` can only be inside a string, where `\\u005b` is the same `[`
    (the diff must stay byte-exact); ASCII-only output escapes every control, and no line starts with `::`."""
    return json.dumps(value, indent=2).replace("##[", "##\\u005b")


def diagnosis_json(findings: list[Finding]) -> str:
    return to_json({"findings": [finding_json(f) for f in redacted(findings)]})


def _where(e: Evidence) -> str:
    return f"{e.source}:{e.line}" if e.source else str(e.line)


def preview_command(log: str | None, source: str | None = None, repo: str = ".") -> str:
    """The `fixbot apply --dry-run` that shows this fix again: the same log (or source) and the same repository."""
    import os

    from fixbot import commands

    source = ["--from", source] if source is not None else ["--log", log or "-"]
    where = [] if os.path.normpath(repo) == "." else ["--repo", repo]
    return commands.fixbot("apply", *source, *where, "--dry-run")


def diagnosis_text(findings: list[Finding], log: str, preview: str | None = None, *, paint: Paint = _PLAIN) -> str:
    """`preview` is the command that shows the fix (preview_command); by default one for `log` here. `paint`
    colours it for a terminal (fixbot.colour)."""
    if not findings:
        return "No known failure found in the log.\n"
    out: list[str] = []
    findings, more = _shown(findings)
    for f in redacted(findings):
        mark = paint("fixable", fg="green") if f.fixable else paint("no fix", fg="yellow")
        out.append(f"{paint(f.kind, fg='red', bold=True)} ({mark}): {f.summary}")
        if "cause" in f.facts:
            out.append(f"  root cause: {f.facts['cause']}")
        if f.facts.get("project_frames"):
            out.append(f"  raised via: {', '.join(f.facts['project_frames'][:3])}")
        if f.occurrences > 1:
            out.append(f"  seen {f.occurrences} times (once per worker or retry)")
        out.append("  evidence:")
        width = max(len(_where(e)) for e in f.evidence) if f.evidence else 0
        out.extend(f"    {_where(e):>{width}} | {e.text}" for e in f.evidence)
        if f.fixes:
            fixes = " or ".join(paint(n, fg="cyan") for n in f.fixes)
            out.append(f"  fix: {fixes}  (preview: {preview or preview_command(log)})")
        out.append("")
    if more:
        out += [more, ""]
    return "\n".join(out)


DIFF_SHOWN = 60_000  # characters of a diff in the step summary (GitHub takes 1 MiB per step)


def diff_markdown(result) -> str:
    """The diff a dry run would commit, for the step summary: redacted, fenced, cut at DIFF_SHOWN."""
    if not (result.dry_run and result.diff):
        return ""
    diff = redact(result.diff)
    cut = "" if len(diff) <= DIFF_SHOWN else "\n\n…(cut: the whole diff is in this step's log)"
    return (f"\n#### The fix fixbot would commit on {code(result.branch or '')} (dry run: nothing was committed)\n\n"
            f"{fence(diff[:DIFF_SHOWN], 'diff')}{cut}\n")


def fence(text: str, info: str = "") -> str:
    """A Markdown code fence longer than any run of backticks inside `text`, so nothing can break out."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{info}\n{text}\n{ticks}"


def code(text: str) -> str:
    """`text` (redacted, on one line) as an inline code span no backtick inside it can end early."""
    text = _no_links(" ".join(redact(str(text)).splitlines()))
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text[:1] in ("`", " ") or text[-1:] in ("`", " ") else ""  # CommonMark strips one space each side
    return f"{ticks}{pad}{text}{pad}{ticks}"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]()|!#~])")


def md_text(text: str) -> str:
    """`text` (redacted, on one line) as Markdown prose that renders as itself: no HTML, comment, link, image,
    emphasis, table cell, autolink, reference or mention can come out of it."""
    text = " ".join(redact(str(text)).splitlines())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _no_links(_MD_SPECIAL.sub(r"\\\1", text))


# What pr_body links to: a plain http(s) address, as pulls._run_link accepts (no spaces, quotes, parens, brackets).
_URL = re.compile(r"https?://[^\s<>\"'`()\[\]]+")


def diagnosis_markdown(findings: list[Finding]) -> str:
    if not findings:
        return "### fixbot\n\nNo known failure found in the log.\n"
    out = ["### fixbot diagnosis", ""]
    findings, more = _shown(findings)
    for f in redacted(findings):
        out.append(f"**{f.kind}**: {md_text(f.summary)}")
        out.append("")
        if "cause" in f.facts:
            out.append(f"Root cause: {code(f.facts['cause'])}")
            out.append("")
        out.append(fence(_no_links("\n".join(f"{_where(e)}: {e.text}" for e in f.evidence))))
        out.append("")
        out.append(f"Fix: {', '.join(code(n) for n in f.fixes)}" if f.fixes else "No automatic fix.")
        out.append("")
    if more:
        out += [md_text(more), ""]
    return "\n".join(out)


# What GitHub links in prose, commit messages included (docs: "Autolinked references and URLs"): a URL or `www.`,
# `#26`, `GH-26`, `owner/repo#26` (a cross-reference on that issue; after "fixes", a merge closes it) and `@name` (a
# ping). It finds references in the rendered text, so `\#` does not stop them; a zero-width joiner inside the token
# does, and the text still reads the same. (A code span would too, but it cannot go inside a fence or a commit.)
_LINK = re.compile(r"(?i)(\b(?:https?|ftp|mailto|xmpp)(?=:)|\bwww(?=\.)|#(?=\d)|\bgh-(?=\d)|@(?=[a-z0-9]))")


def _no_links(text: str) -> str:
    """`text` with nothing GitHub would turn into a link, a reference or a mention."""
    return _LINK.sub("\\1\u200d", text)


# --- apply ---------------------------------------------------------------------------------------------

def _subject(result) -> str:
    return _no_links(redact(result.subject))[:72]


_COMMITTED_FACTS = (("handler", "Handler"), ("path", "Path"), ("error", "Error"))


def _failure_lines(result) -> list[str]:
    """What failed, as facts: the kind, handler, path and error. No log line: a commit is permanent and public."""
    out: list[str] = []
    for f in redacted(f for f in result.findings if f.fixable):
        out.append(f"The deploy failed: {f.kind}.")
        out.extend(f"{label}: {f.facts[key]}" for key, label in _COMMITTED_FACTS if f.facts.get(key))
        out.append("")
    return out


COMMIT_WIDTH = 72  # git's convention for a commit body (and what `git log` in a terminal shows unwrapped)


def _wrapped(text: str, first: str = "", rest: str = "") -> list[str]:
    """`text` wrapped at COMMIT_WIDTH, `first` before its first line and `rest` before the others; a path or a
    word longer than the width stays whole."""
    import textwrap

    return textwrap.wrap(text, COMMIT_WIDTH, initial_indent=first, subsequent_indent=rest, break_long_words=False,
                         break_on_hyphens=False) or [first.rstrip()]


def commit_message(result) -> str:
    """Subject, what failed, what changed (handler removed, loggers now on `console`) and why, wrapped at 72
    columns; a trailer fingerprints the fix."""
    out = [_subject(result), ""]
    out += [line for fact in _failure_lines(result) for line in (_wrapped(fact, "", "  ") if fact else [""])]
    out.append("What fixbot changed:")
    for c in result.changes:
        out += _wrapped(f"{c.path} ({c.codemod}):", "- ", "  ")
        for what in c.what:
            out += _wrapped(redact(what), "  - ", "    ")
        out += _wrapped(f"Why: {redact(c.why)}", "  ", "  ")
        if c.checks:
            out += _wrapped(f"Checked: {redact('; '.join(c.checks))}.", "  ", "  ")
    if result.remaining:
        out += _wrapped(f"Remaining: {remaining_line(result)}.", "", "  ")
    trailers = [f"Fixbot-Fingerprint: {result.fingerprint}"]
    if result.verified:
        trailers.append(f"Verified-by: {verified_line(result)}")
    return _no_links("\n".join(out)) + "\n\n" + "\n".join(trailers) + "\n"


def verified_line(result) -> str:
    """`CMD (exit N)`: the --verify-cmd that passed on the fix commit, redacted, on one line."""
    cmd, code = result.verified
    return f"{' '.join(redact(cmd).split())} (exit {code})"


def remaining_line(result) -> str:
    """One line on what the fix leaves on the start path: this PR alone will not make the deploy boot, and why."""
    shown = "; ".join(f"{redact(r.path)}:{r.line}: {redact(r.why)}" for r in result.remaining[:3])
    more = f" (and {len(result.remaining) - 3} more)" if len(result.remaining) > 3 else ""
    return f"this fix alone will not make the deploy boot: {shown}{more}"


def apply_json(result) -> str:
    return to_json(
        {
            "status": result.status,
            "changes": [
                {"path": c.path, "codemod": c.codemod, "why": redact(c.why), "checks": [redact(k) for k in c.checks],
                 "what": [redact(w) for w in c.what]}
                for c in result.changes
            ],
            "branch": result.branch if result.status == "fixed" else None,
            "commit": result.commit,
            "created": result.created,
            "replaced": result.replaced,
            "pr_url": result.pr_url,
            "pr_action": result.pr_action,
            "warnings": [redact(w) for w in result.warnings],
            "diff": result.diff,
            "dry_run": result.dry_run,
            "notes": [redact(n) for n in result.notes],
            "findings": [finding_json(f) for f in redacted(result.findings)],
            "remaining": [{"path": redact(r.path), "line": r.line, "why": redact(r.why)} for r in result.remaining],
            "verified": {"cmd": redact(result.verified[0]), "exit": result.verified[1]} if result.verified else None,
            "error": None if result.error is None else redact(result.error),
        }
    )


def _inert_lines(text: str) -> str:
    """The diff as the Action prints it: the repository's own lines may hold a workflow command or a control too."""
    return "".join(inert(line.rstrip("\r\n")) + line[len(line.rstrip("\r\n")):] for line in text.splitlines(True))


def apply_text(result, log: str, *, paint: Paint = _PLAIN, preview: str | None = None) -> str:
    out = [diagnosis_text(list(result.findings), log, preview, paint=paint).rstrip("\n"), ""]
    if result.status == "no-fix":
        out.append("Nothing fixbot can fix: no change made.")
        return "\n".join(out) + "\n"
    if result.status == "already-fixed":
        out.append("Already fixed: the repository no longer has this failure (nothing to change).")
    for c in result.changes:
        out.append(f"plan: {c.codemod} on {c.path}")
        out.extend(f"  change: {redact(what)}" for what in c.what)
        out.append(f"  why: {redact(c.why)}")
        if c.checks:
            out.append(f"  checked: {redact('; '.join(c.checks))}")
    for note in result.notes:
        out.append(f"note: {redact(note)}")
    if result.remaining:
        out.append(f"remaining: {remaining_line(result)}")
    if result.diff:
        diff = _inert_lines(result.diff)
        out += ["", paint.diff(diff).rstrip("\n")]
    if result.status == "fixed":
        out.append("")
        if result.dry_run:
            out.append(paint(f"dry run: nothing changed (would commit on branch {result.branch})", fg="yellow"))
        elif result.commit:
            made = "committed" if result.created else "already committed"
            out.append(paint(f"{made} {result.commit[:12]} on branch {result.branch}", fg="green", bold=True)
                       + " (your checkout is untouched)")
            if result.replaced:
                out.append(f"  the branch held fixbot's earlier commit {result.replaced[:12]} for this failure; "
                           "it is remade on HEAD")
            if result.verified:
                out.append(f"verified: {verified_line(result)} on the fix commit")
        if result.pr_url:
            out.append(f"pull request ({result.pr_action}): {result.pr_url}")
        elif result.pr_action:
            out.append(f"pull request: {result.pr_action}, nothing pushed")
    return "\n".join(out) + "\n"


# --- pull request -----------------------------------------------------------------------------------------

PR_BODY_LIMIT = 65_536  # GitHub refuses longer bodies
MARKER = "<!-- fixbot:fingerprint={} -->"


def pr_title(result) -> str:
    return _subject(result)


def pr_body(result, run_url: str | None = None) -> str:
    """The pull request's description: what failed, why, what changed, how to check it and how to say no."""
    findings = [f for f in redacted(result.findings) if f.fixable]
    parts = [MARKER.format(result.fingerprint), "## What failed", ""]
    where = f" in [this deploy run]({run_url})" if run_url and _URL.fullmatch(run_url) else ""
    for f in findings:
        parts.append(f"The deploy failed{where}: **{md_text(f.summary)}** ({code(f.kind)}).")
        parts.append("")
    parts += ["## Root cause", ""]
    evidence_budget = PR_BODY_LIMIT // 2
    for f in findings:
        if "cause" in f.facts:
            parts += [code(f.facts["cause"]), ""]
        lines = "\n".join(f"{_where(e)}: {e.text}" for e in f.evidence)[:evidence_budget]
        # "<!--" broken up: publish finds a PR by its marker, and a log must not forge one for another fix
        lines = lines.replace("<!--", "<!\u200d--")
        parts += ["Evidence from the log:", "", fence(_no_links(lines)), ""]
    parts += ["## The change", ""]
    for c in result.changes:
        parts.append(f"- {code(c.path)} — **{c.codemod}**: {md_text(c.why)}")
        parts.extend(f"  - {md_text(what)}" for what in c.what)
        if c.checks:
            parts.append(f"  - checked by fixbot: {md_text('; '.join(c.checks))}")
    if result.verified:
        parts += ["", f"**Verified:** {code(verified_line(result))} passed on this branch's commit."]
    if result.remaining:
        parts += ["", f"**This pull request alone will not make the deploy boot:** {md_text(remaining_line(result))}"]
    if result.notes:
        parts += ["", "Also noticed (not changed by this PR):", ""]
        parts += [f"- {md_text(n)}" for n in result.notes]
    parts += ["", "## Checklist for the reviewer", "", *result.checklist, ""]
    parts += [
        "## If this is not the right fix",
        "",
        "Close this pull request without merging: fixbot takes that as a no and will not reopen it or open "
        "another one for the same failure. To stop a kind of fix altogether, list only the codemods you want "
        "under `codemods:` in `.fixbot.yml`.",
        "",
        "<sub>Opened by fixbot. Nothing is merged without a reviewer.</sub>",
    ]
    body = "\n".join(parts)
    if len(body) > PR_BODY_LIMIT:
        body = body[: PR_BODY_LIMIT - 200] + "\n\n…(cut to fit GitHub's limit)\n"
    return body
