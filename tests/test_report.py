"""What leaves fixbot: no secret from the log at any exit, and no live Markdown or HTML from it in GitHub."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest

from fixbot import action, apply, report
from fixbot.model import Result
from tests.support.cli import fixbot
from tests.support import ROOT

EXAMPLE = ROOT / "examples" / "ledgersg"

PASSWORD = "hunter2pass"
TOKEN = "ghp_" + "k7Qz" * 9
SECRET_PATH = f"https://bob:{PASSWORD}@h/{TOKEN}/x.log"


def gunicorn_log(path: str) -> str:
    return f"Error: '{path}' isn't writable [FileNotFoundError(2, 'No such file or directory')]\n"


def django_log(path: str) -> str:
    return (EXAMPLE / "logs" / "boot-failure.log").read_text().replace("/app/apps/backend/logs/api.log", path)


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


def make_repo(root: Path, source: Path | None) -> Path:
    if source is None:
        root.mkdir()
        (root / "README.md").write_text("nothing that starts Gunicorn or Django here\n")
    else:
        shutil.copytree(source, root, ignore=shutil.ignore_patterns("__pycache__", "logs"))
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "deployed")
    return root


@pytest.fixture
def app(tmp_path) -> Path:
    return make_repo(tmp_path / "app", EXAMPLE)


@pytest.fixture
def unrelated(tmp_path) -> Path:
    return make_repo(tmp_path / "unrelated", None)


def assert_no_secret(where: str, text: str) -> None:
    assert PASSWORD not in text and TOKEN not in text, f"a secret leaked into {where}:\n{text}"


# --- 1. secrets in log-derived text (paths in `why`, in refusals) reach no output ---------------------------


@pytest.mark.parametrize("make_log", [gunicorn_log, django_log], ids=["gunicorn", "django"])
def test_a_secret_in_the_failing_path_reaches_no_output(make_log, app, unrelated, tmp_path):
    log = tmp_path / "deploy.log"
    log.write_text(make_log(SECRET_PATH))
    for fmt in ("text", "json", "github"):
        done = fixbot("diagnose", str(log), "--format", fmt)
        assert done.returncode == 0, done.stderr
        assert_no_secret(f"diagnose --format {fmt}", done.stdout + done.stderr)
    for fmt in ("text", "json"):
        done = fixbot("apply", "--log", str(log), "--repo", str(app), "--format", fmt)
        assert done.returncode == 0, done.stdout + done.stderr
        assert_no_secret(f"apply --format {fmt}", done.stdout + done.stderr)
        refused = fixbot("apply", "--log", str(log), "--repo", str(unrelated), "--format", fmt)
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert refused.stderr.startswith("fixbot: ") and "internal error" not in refused.stderr
        assert_no_secret(f"the refusal of apply --format {fmt}", refused.stdout + refused.stderr)
    branches = git(app, "for-each-ref", "--format=%(refname:short)", "refs/heads/fixbot/").split()
    assert len(branches) == 1
    assert_no_secret("the commit message", git(app, "log", "--format=%B", "-1", branches[0]))


def test_the_refusal_that_names_the_path_is_redacted(unrelated, tmp_path):
    log = tmp_path / "deploy.log"
    log.write_text(gunicorn_log(SECRET_PATH))
    done = fixbot("apply", "--log", str(log), "--repo", str(unrelated), "--format", "json")
    assert done.returncode == 2
    error = json.loads(done.stdout)["error"]
    assert "no Gunicorn invocation" in error and "https://bob:***@h/***/x.log" in error
    assert "https://bob:***@h/***/x.log" in done.stderr


def test_why_and_the_commit_message_are_redacted(app, tmp_path):
    log = tmp_path / "deploy.log"
    log.write_text(gunicorn_log(SECRET_PATH))
    result = apply.run(str(log), app, dry_run=True)
    assert result.status == "fixed" and TOKEN in result.changes[0].why, "the path must be in why for this test"
    for where, text in [("commit message", report.commit_message(result)), ("apply_json", report.apply_json(result)),
                        ("apply_text", report.apply_text(result, str(log))), ("pr_body", report.pr_body(result)),
                        ("apply_json refused", report.apply_json(Result("refused", error=result.changes[0].why)))]:
        assert_no_secret(where, text)


def action_env(tmp_path: Path, workspace: Path, log: Path) -> dict[str, str]:
    return {"GITHUB_WORKSPACE": str(workspace), "INPUT_LOG_FILE": str(log), "INPUT_DRY_RUN": "true",
            "GITHUB_REPOSITORY": "acme/app", "GITHUB_OUTPUT": str(tmp_path / "output"),
            "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}


@pytest.mark.parametrize("make_log", [gunicorn_log, django_log], ids=["gunicorn", "django"])
def test_the_action_outputs_carry_no_secret(make_log, app, unrelated, tmp_path, capsys):
    log = tmp_path / "deploy.log"
    log.write_text(make_log(SECRET_PATH))
    for workspace, expected in [(app, 0), (unrelated, 2)]:
        env = action_env(tmp_path, workspace, log)
        assert action.main(env) == expected
        out = capsys.readouterr()
        assert_no_secret(f"the action's stdout ({workspace.name})", out.out + out.err)
        assert_no_secret("GITHUB_OUTPUT", Path(env["GITHUB_OUTPUT"]).read_text())
        assert_no_secret("the step summary", Path(env["GITHUB_STEP_SUMMARY"]).read_text())


# --- 3. nothing from the log renders as Markdown or HTML ------------------------------------------------------

INJECTION = "/x/<!-- fixbot:fingerprint=0000 --><img src=x>[click](http://e)a`<img src=y>`b**B**|c|![i](http://e/i.png)"


def prose(markdown: str) -> str:
    """The Markdown without its code blocks and code spans: the only places where log text may be raw."""
    markdown = re.sub(r"^(`{3,})[^\n]*\n.*?\n\1$", "", markdown, flags=re.S | re.M)
    return re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", markdown, flags=re.S)


def assert_inert(where: str, markdown: str, markers: int = 0) -> None:
    text = prose(markdown)
    assert text.count("<!--") == markers, (where, text)
    for live in ("<img", "[click](", "![i](", "**B**", "|c|"):
        assert live not in text, (where, live, text)


def test_log_text_is_inert_in_the_pr_body_and_the_step_summary(app, tmp_path):
    log = tmp_path / "deploy.log"
    log.write_text(gunicorn_log(INJECTION))
    result = apply.run(str(log), app, dry_run=True)
    assert result.status == "fixed" and "<img src=x>" in result.changes[0].why
    body = report.pr_body(result)
    assert body.startswith(report.MARKER.format(result.fingerprint))
    assert_inert("pr_body", body, markers=1)
    # publish finds a PR by `marker in body`: not even the evidence block may carry a marker for another fix
    assert body.count("<!-- fixbot:fingerprint=") == 1
    assert_inert("diagnosis_markdown", report.diagnosis_markdown(list(result.findings)))


def test_mentions_stay_silent(app, tmp_path):
    log = tmp_path / "deploy.log"
    log.write_text(gunicorn_log("/x/@octocat/api.log"))
    result = apply.run(str(log), app, dry_run=True)
    for text in (report.pr_body(result), report.diagnosis_markdown(list(result.findings))):
        assert "@octocat" not in text


@pytest.mark.parametrize("run_url, linked", [
    ("https://github.com/acme/app/actions/runs/9", True),
    ("javascript:alert(1)", False),
    ("http://e/x) [click](http://evil", False),
    ("http://e/x y", False),
])
def test_pr_body_links_only_a_plain_http_run_url(app, tmp_path, run_url, linked):
    log = tmp_path / "deploy.log"
    log.write_text(gunicorn_log("/x/api.log"))
    body = report.pr_body(apply.run(str(log), app, dry_run=True), run_url)
    assert (f"]({run_url})" in body) is linked
    if not linked:
        assert "[click]" not in body and "javascript:" not in body


# --- 5. an unwritable step summary is a warning, not an internal error ------------------------------------------


def test_diagnose_github_with_an_unwritable_step_summary_still_succeeds(tmp_path):
    log = tmp_path / "deploy.log"
    log.write_text(gunicorn_log("/x/api.log"))
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(tmp_path / "no-such-dir" / "summary.md")}
    done = fixbot("diagnose", str(log), "--format", "github", env=env)
    assert done.returncode == 0, done.stderr
    assert "::error" in done.stdout
    assert "internal error" not in done.stderr and "step summary" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


# --- 6. no workflow command from the log reaches the runner: `##[…]` anywhere in a line, `::…` at its start ----------

COMMANDS = "/x/##[add-mask]hunter2/##[stop-commands]x/::warning::pwned/api.log"
_OWN_COMMAND = re.compile(r"::(error|warning|notice) (file=[^,:%]*,(line=\d+,)?)?title=fixbot[^:]*::")


# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt, Unicode 15.1; the same from the `regex`
# module's \p{Default_Ignorable_Code_Point}), and the format characters (Cf) Python knows besides.
_IGNORABLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164"
    "\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
    + "".join(chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf") + "]")


def assert_no_workflow_command(where: str, text: str) -> None:
    # the runner's culture-aware search (ICU) skips ignorable characters, such as the joiner fixbot inserts
    for line in _IGNORABLE.sub("", text).splitlines():
        assert "##[" not in line, f"a legacy workflow command in {where}: {line}"
        start = line.lstrip()
        assert not start.startswith("::") or _OWN_COMMAND.match(start), f"a workflow command in {where}: {line}"


@pytest.mark.parametrize("make_log", [gunicorn_log, django_log], ids=["gunicorn", "django"])
def test_no_workflow_command_from_the_log_reaches_any_output(make_log, app, unrelated, tmp_path, capsys):
    log = tmp_path / "deploy.log"
    log.write_text(make_log(COMMANDS))
    seen = ""
    for fmt in ("text", "json", "github"):
        done = fixbot("diagnose", str(log), "--format", fmt)
        assert done.returncode == 0, done.stderr
        assert_no_workflow_command(f"diagnose --format {fmt}", done.stdout + done.stderr)
        seen += done.stdout
    for fmt in ("text", "json"):
        done = fixbot("apply", "--log", str(log), "--repo", str(app), "--format", fmt, "--dry-run")
        assert done.returncode == 0, done.stdout + done.stderr
        assert_no_workflow_command(f"apply --format {fmt}", done.stdout + done.stderr)
        refused = fixbot("apply", "--log", str(log), "--repo", str(unrelated), "--format", fmt)
        assert refused.returncode == 2, refused.stderr
        assert_no_workflow_command(f"the refusal of apply --format {fmt}", refused.stdout + refused.stderr)
        seen += done.stdout
    for workspace in (app, unrelated):
        action.main(action_env(tmp_path, workspace, log))
        out = capsys.readouterr()
        assert_no_workflow_command(f"the action's output ({workspace.name})", out.out + out.err)
        seen += out.out
    assert "add-mask" in seen and "stop-commands" in seen, "the planted commands must be printed, made inert"


@pytest.mark.parametrize("text", [
    "::warning::pwned", "  ::add-mask::x", "\u00a0::stop-commands::t", "a\n::error::b", "\u200d::warning::x",
    "x ##[add-mask]y", "##[stop-commands]x", "#\u200d#[warning]x", "##\u2060[warning]x", ":\u200d:warning::x",
    # every other default-ignorable or format character: the runner's search skips them all
    "#\u034f#[add-mask]x", "#\ufe0f#[warning]x", "#\U000e0001#[warning]x", "#\U000e0041#[warning]x",
    "#\u180b#[warning]x", "#\ufff9#[warning]x", "#\U0001d173#[warning]x", "##\u206a[warning]x", "#\u206f#[add-mask]x",
    "#\u3164#[warning]x", "#\U000e0100#[warning]x", "#\u0600#[warning]x", ":\ufe0f:warning::x", "\u034f::error::b",
    "#\u200d\ufe0f\u034f#[warning]x",
])
def test_workflow_commands_are_inert_and_still_readable(text):
    out = report.redact(text, {})
    assert_no_workflow_command("redact", out)
    assert not _IGNORABLE.search(out.replace("\u200d", "")), f"an ignorable character is left raw: {out!r}"
    assert "warning" in out or "mask" in out or "stop" in out or "error" in out


# --- 7. terminal controls and bidi overrides from the log are escaped wherever log text goes --------------------

CONTROLS = "/x/\u202eevil\u202c/\x1bc/\x1b(0/\x9b31m/\x07/api.log"
_RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def assert_no_controls(where: str, text: str) -> None:
    assert not _RAW_CONTROL.search(text), f"a raw control character in {where}: {text!r}"


def json_strings(value) -> str:
    if isinstance(value, dict):
        return "".join(json_strings(v) for v in value.values())
    if isinstance(value, list):
        return "".join(json_strings(v) for v in value)
    return value if isinstance(value, str) else ""


def test_controls_from_the_log_are_escaped_in_every_output(app, tmp_path, capsys):
    log = tmp_path / "deploy.log"
    log.write_text(gunicorn_log(CONTROLS))  # Gunicorn prints the path raw ('%s')
    for fmt in ("text", "github", "json"):
        done = fixbot("diagnose", str(log), "--format", fmt)
        assert done.returncode == 0, done.stderr
        assert_no_controls(f"diagnose --format {fmt}", done.stdout + done.stderr)
        if fmt == "json":
            assert_no_controls("diagnose's JSON values", json_strings(json.loads(done.stdout)))
    for fmt in ("text", "json"):
        done = fixbot("apply", "--log", str(log), "--repo", str(app), "--format", fmt)
        assert done.returncode == 0, done.stdout + done.stderr
        assert_no_controls(f"apply --format {fmt}", done.stdout + done.stderr)
        if fmt == "json":
            assert_no_controls("apply's JSON values", json_strings(json.loads(done.stdout)))
    branch = git(app, "for-each-ref", "--format=%(refname:short)", "refs/heads/fixbot/").split()[0]
    message = git(app, "log", "--format=%B", "-1", branch)
    assert_no_controls("the commit message", message)
    assert "\\u202e" in message, "the override is shown escaped, not dropped"
    result = apply.run(str(log), app, dry_run=True)
    assert_no_controls("pr_body", report.pr_body(result))
    assert_no_controls("pr_title", report.pr_title(result))
    assert_no_controls("diagnosis_markdown", report.diagnosis_markdown(list(result.findings)))
    action.main(action_env(tmp_path, app, log))
    out = capsys.readouterr()
    assert_no_controls("the action's output", out.out + out.err)
    assert_no_controls("the step summary", (tmp_path / "summary.md").read_text())


# --- 8. no link, reference or mention comes out of log text in Markdown or a commit message --------------------

LINKS = "/x/https:/evil.example/www.evil.example/acme/app#1/fixes #2/GH-3/@octocat/api.log"


def test_log_text_links_and_references_nothing(app, tmp_path):
    log = tmp_path / "deploy.log"
    log.write_text(gunicorn_log(LINKS))
    result = apply.run(str(log), app, dry_run=True)
    assert result.status == "fixed" and "acme/app#1" in result.changes[0].why
    for where, text in [("pr_body", report.pr_body(result)), ("commit message", report.commit_message(result)),
                        ("diagnosis_markdown", report.diagnosis_markdown(list(result.findings))),
                        ("md_text", report.md_text(LINKS))]:
        for live in ("https:", "www.", "#1", "#2", "GH-3", "@octocat"):
            assert live not in text.replace("\\", ""), (where, live)
        assert "octocat" in text and "evil" in text, "the text is still there to read"


def test_md_text_stops_autolinks_and_cross_references():
    out = report.md_text("see https://evil.example and www.evil.example, fixes acme/app#12 and GH-4")
    assert not re.search(r"https:|www\.|#\d|GH-\d", out.replace("\\", ""))


# --- 9. the commit message states the failure; it quotes no log line -------------------------------------------


def test_commit_message_carries_facts_not_log_lines(app, tmp_path):
    log = tmp_path / "deploy.log"
    log.write_text(django_log("/app/apps/backend/logs/api.log"))
    result = apply.run(str(log), app, dry_run=True)
    message = report.commit_message(result)
    for fact in ("logging-handler", "Handler: file", "Path: /app/apps/backend/logs/api.log",
                 "Error: FileNotFoundError", "What fixbot changed:", "Fixbot-Fingerprint: "):
        assert fact in message, (fact, message)
    evidence = {e.text.strip() for f in result.findings for e in f.evidence}
    assert not [line for line in message.splitlines() if line.strip() in evidence], message
    assert "Traceback" not in message and "[Errno 2]" not in message


def test_the_diff_shown_carries_no_workflow_command_or_control(app):
    settings = app / "apps" / "backend" / "config" / "settings" / "service.py"
    text = settings.read_text()
    settings.write_text(text.replace("'filename': '/app/apps/backend/logs/api.log',",
                                     "'filename': '/app/apps/backend/logs/api.log',  # ##[add-mask]x \x1bc", 1))
    git(app, "commit", "-qam", "a comment the runner would read")
    done = fixbot("apply", "--log", str(EXAMPLE / "logs" / "boot-failure.log"), "--repo", str(app), "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "add-mask" in done.stdout
    assert_no_workflow_command("apply's diff", done.stdout)
    assert_no_controls("apply's diff", done.stdout)


def test_the_json_diff_is_exact_and_still_carries_no_workflow_command(app):
    settings = app / "apps" / "backend" / "config" / "settings" / "service.py"
    settings.write_text(settings.read_text().replace("'formatter': 'simple',", "'formatter': 'simple',  # ##[add-mask]x", 1))
    git(app, "commit", "-qam", "a comment the runner would read")
    done = fixbot("apply", "--log", str(EXAMPLE / "logs" / "boot-failure.log"), "--repo", str(app), "--dry-run",
                  "--format", "json")
    assert done.returncode == 0, done.stderr
    assert_no_workflow_command("apply's JSON", done.stdout)
    assert "-            'formatter': 'simple',  # ##[add-mask]x\n" in json.loads(done.stdout)["diff"]


def test_the_pr_body_publish_sends_keeps_its_link_breaks(app, tmp_path):
    log = tmp_path / "deploy.log"
    log.write_text(gunicorn_log(LINKS))
    body = report.pr_body(apply.run(str(log), app, dry_run=True))
    sent = report.redact(body)  # publish redacts the whole body once more
    assert "@\u200doctocat" in sent and "\\u200d" not in sent


# --- a log built to be slow to report, and one with hundreds of findings ------------------------------------


def _many_findings_log(count: int, path_of) -> str:
    """The second worker's traceback block of the example log, `count` times, each with its own handler and path."""
    lines = (EXAMPLE / "logs" / "boot-failure.log").read_text().splitlines(True)
    block = "".join(lines[71:135])
    assert block.startswith("[2026") and "Unable to configure handler 'file'" in block
    return "".join(block.replace("/app/apps/backend/logs/api.log", path_of(i)).replace("'file'", f"'h{i}'")
                   for i in range(count))


@pytest.mark.parametrize("fmt", ["github", "text", "json"])
def test_a_log_of_long_adversarial_paths_is_reported_in_seconds(fmt, tmp_path):
    log = tmp_path / "slow.log"
    log.write_text(_many_findings_log(40, lambda i: "/app/" + "a-" * 2040 + str(i)))
    start = time.perf_counter()
    done = fixbot("diagnose", str(log), "--format", fmt, timeout=30)  # 66 s with --format github before
    took = time.perf_counter() - start
    print(f"\n40 tracebacks with 4 KB paths, --format {fmt}: {took:.2f} s")  # README quotes it (-s)
    assert done.returncode == 0, done.stderr
    assert took < 5
    assert "h0" in done.stdout


def test_hundreds_of_findings_are_shown_capped_and_listed_whole_in_json(tmp_path):
    log = tmp_path / "many.log"
    log.write_text(_many_findings_log(300, lambda i: f"/app/logs/{i}/api.log"))
    shown = report.FINDINGS_SHOWN
    text = fixbot("diagnose", str(log), timeout=20).stdout
    assert text.count("logging-handler (fixable)") == shown
    assert f"and {300 - shown} more findings" in text
    github = fixbot("diagnose", str(log), "--format", "github", timeout=20).stdout
    assert github.count("::error ") == shown and f"and {300 - shown} more findings" in github
    assert len(json.loads(fixbot("diagnose", str(log), "--format", "json", timeout=20).stdout)["findings"]) == 300
    from fixbot import diagnose
    markdown = report.diagnosis_markdown(diagnose.diagnose_path(str(log)))
    assert markdown.count("**logging-handler**") == shown and f"and {300 - shown} more findings" in markdown


def test_a_command_hidden_by_an_ignorable_character_in_a_handler_name_stays_inert(tmp_path):
    log = tmp_path / "deploy.log"
    handler = "::notice::h#\ufe0f#[x]"
    log.write_text((EXAMPLE / "logs" / "boot-failure.log").read_text().replace("'file'", repr(handler)),
                   encoding="utf-8")
    for fmt in ("text", "github", "json"):
        done = fixbot("diagnose", str(log), "--format", fmt)
        assert done.returncode == 0, done.stderr
        assert "notice::h#" in done.stdout, "the handler is printed"
        assert_no_workflow_command(f"diagnose --format {fmt}", done.stdout + done.stderr)
        assert not _IGNORABLE.search(done.stdout.replace("\u200d", "")), f"a raw ignorable in --format {fmt}"


def test_the_printed_preview_names_the_repository_it_was_run_on(tmp_path):
    # A real Gunicorn refusal (the room's example log) and a repository whose start script names its log.
    log = ROOT / "fixbot/fixes/gunicorn_logfile/examples/error-logfile-not-writable.log"
    repo = tmp_path / "my repo"
    repo.mkdir()
    (repo / "start.sh").write_text("#!/bin/sh\nexec gunicorn app:app --error-logfile /srv/app/gone/error.log\n")
    git(repo, "init", "-q")
    git(repo, "add", "start.sh")

    def preview(cwd: Path, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "fixbot.cli", "apply", *args, "--dry-run"], cwd=cwd,
                              capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert done.returncode == 0, done.stderr
        return re.search(r"\(preview: (.*)\)$", done.stdout, re.M)[1]

    assert preview(tmp_path, "--log", str(log), "--repo", str(repo)) == (
        f"fixbot apply --log {log} --repo '{repo}' --dry-run")
    assert preview(repo, "--log", str(log)) == f"fixbot apply --log {log} --dry-run"
    assert report.preview_command(None, "github-run:12345") == "fixbot apply --from github-run:12345 --dry-run"


# --- 10. the commit body: wrapped at 72 columns, and it says what changed as well as why ----------------------


def test_the_commit_body_is_wrapped_at_72_and_says_what_changed(app, tmp_path):
    result = apply.run(str(EXAMPLE / "logs" / "boot-failure.log"), app)
    assert result.status == "fixed"
    body = git(app, "log", "--format=%b", "-1", result.branch)
    long = [line for line in body.splitlines() if len(line) > report.COMMIT_WIDTH and " " in line.strip()]
    assert not long, long
    flat = " ".join(body.split())
    for said in ("handler 'file' removed (a FileHandler writing /app/apps/backend/logs/api.log)",
                 "now log to 'console' only", "Why: Dockerfile sets DJANGO_SETTINGS_MODULE", "Checked: compiles"):
        assert said in flat, (said, body)


def test_the_dry_run_step_summary_has_the_diff_fenced_and_redacted(app, tmp_path, capsys):
    settings = app / "apps" / "backend" / "config" / "settings" / "service.py"
    settings.write_text(settings.read_text().replace("'formatter': 'simple',", f"'formatter': 'simple',  # {TOKEN}", 1))
    git(app, "commit", "-qam", "a token in a comment the diff shows")
    env = action_env(tmp_path, app, EXAMPLE / "logs" / "boot-failure.log")
    assert action.main(env) == 0
    capsys.readouterr()
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    assert_no_secret("the step summary", summary)
    fenced = re.search(r"```diff\n(.*?)\n```", summary, re.S)
    assert fenced, summary
    assert "-        'file': {" in fenced[1] and "# ***" in fenced[1]
    assert "dry run: nothing was committed" in summary


def test_the_pr_body_says_what_changed(app):
    body = report.pr_body(apply.run(str(EXAMPLE / "logs" / "boot-failure.log"), app, dry_run=True))
    assert "  - handler 'file' removed (a FileHandler writing /app/apps/backend/logs/api.log)\n" in body.replace("\\", ""), body


def test_a_real_run_puts_no_diff_in_the_step_summary(app, tmp_path):
    result = apply.run(str(EXAMPLE / "logs" / "boot-failure.log"), app)
    assert result.status == "fixed" and report.diff_markdown(result) == ""
