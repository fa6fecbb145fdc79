"""The `fixbot` command line: thin commands over the pipeline, and one place that turns errors into exit codes."""

from __future__ import annotations

import os
import sys
from typing import Any, Callable

import click

from fixbot.colour import CHOICES, Paint, wanted
from fixbot.errors import FixbotError
from fixbot.redact import redact


class _Group(click.Group):
    """Every FixbotError becomes one line on stderr and its exit code; nothing else shows a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FixbotError as err:  # messages quote the log (a path, a frame): redacted like everything else
            _say(redact(str(err)), "error")
            sys.exit(err.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            _say("interrupted", "error")
            sys.exit(130)
        except Exception as err:  # a bug in fixbot: still one line, unless asked for the traceback
            if os.environ.get("FIXBOT_DEBUG"):
                raise
            _say(f"internal error: {type(err).__name__}: {redact(str(err))} (FIXBOT_DEBUG=1 shows more)", "error")
            sys.exit(2)


def _paint(stream) -> Paint:
    """The styles for text to `stream` under this command's --color (stored by `_color_option`) and the environment."""
    ctx = click.get_current_context(silent=True)
    return Paint(wanted(stream, ctx.meta.get(_COLOR, "auto") if ctx else "auto"))


def _say(message: str, level: str = "note") -> None:
    """One line on stderr: `fixbot: message`, with `warning: ` for a warning; on a terminal the prefix is coloured."""
    paint = _paint(sys.stderr)
    if level == "warning":
        message = paint("warning:", fg="yellow", bold=True) + " " + message.removeprefix("warning: ")
    prefix = paint("fixbot:", fg="red", bold=True) if level == "error" else paint("fixbot:", bold=True)
    click.echo(f"{prefix} {message}", err=True, color=paint.on or None)


def _out(text: str, paint: Paint) -> None:
    """`text` on stdout as rendered: click keeps its colours only when told to, on a pipe under FORCE_COLOR."""
    click.echo(text, nl=False, color=paint.on or None)


_COLOR = "fixbot.color"


def _color_option(command: Callable) -> Callable:
    return click.option(
        "--color", type=click.Choice(CHOICES), default="auto", show_default=True, expose_value=False, is_eager=True,
        callback=lambda ctx, param, value: ctx.meta.__setitem__(_COLOR, value),
        help="Colour the text for people: auto (on a terminal, unless NO_COLOR is set; FORCE_COLOR forces it), "
             "always or never. JSON, SARIF and GitHub's annotations are never coloured.",
    )(command)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="fixbot", prog_name="fixbot")  # the same line however it was started
def main() -> None:
    """fixbot: finds why a deploy died on its logging configuration and fixes it with a codemod."""


class _Duration(click.ParamType):
    """Seconds, or a number with s, m or h: 20, 20s, 10m, 1h."""

    name = "DURATION"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, (int, float)):
            return float(value)
        text = str(value).strip().lower()
        scale = {"s": 1, "m": 60, "h": 3600}.get(text[-1:], None)
        try:
            seconds = float(text[:-1] if scale else text) * (scale or 1)
        except ValueError:
            self.fail(f"{value!r} is not a duration (20, 20s, 10m, 1h)", param, ctx)
        if not 0 < seconds < 86400 * 7:
            self.fail(f"{value!r} is not a duration between 0 and a week", param, ctx)
        return seconds


_FROM_HELP = ("Fetch the log from SOURCE: url:URL, hf-space:OWNER/NAME, render:SERVICE_ID, heroku:APP, fly:APP,"
              " k8s:NAMESPACE/DEPLOYMENT, docker:CONTAINER, github-run:ID.")
_TIMEOUT_HELP = "How long fetching the log from --from may take (default 20s); a stream still going then is cut."


def _source(spec: str | None, timeout: float | None):
    from fixbot import sources

    if spec is None:
        return None
    return sources.parse(spec, bounds=sources.Bounds(timeout=timeout or sources.DEFAULT_TIMEOUT))


def _notes(source) -> None:
    for note in getattr(source, "notes", ()):
        _say(redact(note))


def _stdin_hint(log: str | None) -> None:
    """Before waiting on a terminal's stdin, say what it waits for: a log pasted in, ended by Ctrl-D."""
    if (log is None or log == "-") and sys.stdin is not None and sys.stdin.isatty():
        _say("reading the log from stdin: paste it, then press Ctrl-D on a new line"
             " (or pass a file: fixbot diagnose deploy.log)")


@main.command()
@click.argument("log", required=False, metavar="[LOG|-]")
@click.option("--from", "from_", metavar="SOURCE", help=_FROM_HELP)
@click.option("--timeout", type=_Duration(), help=_TIMEOUT_HELP)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
    help="text for people, json for programs, github for workflow annotations and the step summary.",
)
@_color_option
def diagnose(log: str | None, from_: str | None, timeout: float | None, fmt: str) -> None:
    """Say what failed in LOG (a file, .gz, a run's .zip, or - for stdin) or the log --from fetches, why, and
    which codemod fixes it.

    Exit 0: a failure with a fix was found; 1: nothing fixable; 2: the input was bad."""
    from fixbot import annotate, report
    from fixbot import diagnose as engine
    from fixbot.progress import Progress

    if log is not None and from_ is not None:
        raise click.UsageError("give LOG or --from, not both")
    source = _source(from_, timeout)
    if source is None:
        _stdin_hint(log)
    try:
        # Only people reading text get a progress line; json and github output are for programs and logs.
        with Progress(sys.stderr, wanted=fmt == "text") as progress:
            findings = engine.diagnose_source(source, progress.add) if source is not None else \
                engine.diagnose_path(log or "-", progress.add)
    except engine.EmptyLog as err:
        findings = []
        _notes(source)
        _say(redact(str(err)))
    else:
        _notes(source)
    log = str(source) if source is not None else log or "-"
    preview = report.preview_command(None, str(source)) if source is not None else None
    if fmt == "json":
        click.echo(report.diagnosis_json(findings))
    elif fmt == "github":
        click.echo(annotate.diagnosis_annotations(findings), nl=False)
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            try:
                with open(summary, "a", encoding="utf-8") as out:
                    out.write(report.diagnosis_markdown(findings) + "\n")
            except OSError as err:  # the annotations are out; a summary the runner cannot take is no failure
                _say(f"cannot write the step summary (GITHUB_STEP_SUMMARY): {redact(str(err))}", "warning")
    else:
        paint = _paint(sys.stdout)
        _out(report.diagnosis_text(findings, log, preview, paint=paint), paint)
    sys.exit(0 if any(f.fixable for f in findings) else 1)


@main.command()
@click.option("--log", "log", metavar="LOG|-", help="The failing log: a file, .gz, a run's .zip, or -.")
@click.option("--from", "from_", metavar="SOURCE", help="Instead of --log. " + _FROM_HELP)
@click.option("--run-id", "run_id", metavar="ID", help="Instead of --log: this Actions run's logs (--from github-run:ID).")
@click.option("--timeout", type=_Duration(), help=_TIMEOUT_HELP)
@click.option("--repo", "repo", default=".", show_default=True, type=click.Path(file_okay=False),
              help="The repository to fix (its top level).")
@click.option("--dry-run", is_flag=True, help="Show the diagnosis, the plan and the diff; change nothing.")
@click.option("--codemod", "codemod", metavar="NAME", help="Use this codemod instead of the configured one.")
@click.option("--config", "config", type=click.Path(dir_okay=False), help="Instead of REPO/.fixbot.yml.")
@click.option("--verify-cmd", "verify_cmd", metavar="CMD",
              help="Also run CMD (e.g. 'python manage.py check') in a temporary worktree of the fix.")
@click.option("--open-pr", is_flag=True, help="Push the branch to origin and open or update its pull request.")
@click.option("--base-branch", "base_branch", metavar="BRANCH", help="The PR's base: the branch that was deployed (default: HEAD's branch). Refused unless origin's"
                   " BRANCH contains HEAD, so the PR carries only the fix.")
@click.option("--force", is_flag=True, help="Reopen a fix a reviewer closed without merging.")
@click.option("--settings", "settings", metavar="MODULE",
              help="The DJANGO_SETTINGS_MODULE the failing deploy ran with, when it is set outside the repository"
                   " (overrides `settings:` in .fixbot.yml).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_color_option
def apply(log: str | None, from_: str | None, run_id: str | None, timeout: float | None, repo: str, dry_run: bool,
          codemod: str | None, config: str | None, verify_cmd: str | None, open_pr: bool, base_branch: str | None,
          force: bool, settings: str | None, fmt: str) -> None:
    """Diagnose LOG (or the log --from fetches) and commit the fix on a new branch of REPO, without touching your
    checkout.

    Exit 0: fixed or already fixed; 1: nothing fixable; 2: refused or an error (nothing changed)."""
    if sum(given is not None for given in (log, from_, run_id)) != 1:
        raise click.UsageError("give one of --log, --from and --run-id")
    if codemod is not None:
        _codemod_or_exit(codemod, "--codemod")
    if verify_cmd and dry_run:
        raise click.UsageError("--verify-cmd runs on the fix commit, which --dry-run does not make")
    source = _source(f"github-run:{run_id}" if run_id is not None else from_, timeout)
    if source is None:
        _stdin_hint(log)
    _pipeline(fmt, dry_run, repo, log=log, source=source, codemod=codemod, config_path=config,
              verify_cmd=verify_cmd, open_pr=open_pr, base_branch=base_branch, force=force, settings=settings)


def _pipeline(fmt: str, dry_run: bool, repo: str, *, log: str | None, source, watched=None, **options) -> None:
    """apply's pipeline (or watch's, when `watched` is given): its report on stdout, notes on stderr, its exit."""
    from fixbot import apply as pipeline
    from fixbot import report
    from fixbot.model import Result

    try:
        if watched is not None:
            result = watched(source=source, dry_run=dry_run, **options)
            if result is None:  # the deploy runs: nothing to fix, nothing to say
                sys.exit(0)
        else:
            result = pipeline.run(log, repo, source=source, dry_run=dry_run, run_url=pipeline.run_url(source),
                                  **options)
    except FixbotError as err:
        _notes(source)
        if fmt == "json":
            click.echo(report.apply_json(Result("refused", error=redact(str(err)), dry_run=dry_run)))
        raise
    for warning in result.warnings:
        _say(report.redact(warning), "warning")
    if fmt == "json":
        click.echo(report.apply_json(result))
    else:
        label = str(source) if source is not None else log or "-"
        preview = report.preview_command(log, str(source) if source is not None else None, repo)
        paint = _paint(sys.stdout)
        _out(report.apply_text(result, label, paint=paint, preview=preview), paint)
    sys.exit(result.exit_code)


@main.command()
@click.option("--from", "from_", metavar="SOURCE", required=True,
              help="The platform to poll: hf-space:OWNER/NAME, render:SERVICE_ID, heroku:APP, fly:APP,"
                   " k8s:NAMESPACE/DEPLOYMENT, docker:CONTAINER.")
@click.option("--repo", "repo", default=".", show_default=True, type=click.Path(file_okay=False),
              help="The repository to fix when the deploy fails (its top level).")
@click.option("--timeout", type=_Duration(), default="10m", show_default=True,
              help="How long to wait for the deploy to run or fail.")
@click.option("--interval", type=_Duration(), default="10s", show_default=True, help="Time between two polls.")
@click.option("--settle", type=_Duration(), default="60s", show_default=True,
              help="Right after a push the platform may still report the previous deploy running: a running deploy "
                   "counts only once a new one was seen building or starting, or after this long.")
@click.option("--dry-run", is_flag=True, help="On a failure, show the plan and the diff; change nothing.")
@click.option("--open-pr", is_flag=True, help="On a failure, push the fix and open or update its pull request.")
@click.option("--config", "config", type=click.Path(dir_okay=False), help="Instead of REPO/.fixbot.yml.")
@click.option("--settings", "settings", metavar="MODULE", help="As for apply.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_color_option
def watch(from_: str, repo: str, timeout: float, interval: float, settle: float, dry_run: bool, open_pr: bool,
          config: str | None, settings: str | None, fmt: str) -> None:
    """Poll the platform until the newest deploy runs or fails; on a failure, fix it as apply does.

    One line of progress a poll on stderr. Exit 0: the deploy runs (nothing else is done), or its failure was
    fixed; 1: it failed with nothing fixable; 2: an error, or neither outcome within --timeout."""
    from fixbot import watch as watcher

    source = _source(from_, None)

    def watched(**options):
        return watcher.run(options.pop("source"), repo, timeout=timeout, interval=interval, settle=settle,
                           progress=lambda line: _say(redact(line)), **options)

    _pipeline(fmt, dry_run, repo, log=None, source=source, watched=watched, open_pr=open_pr, config_path=config,
              settings=settings)


def _codemod_or_exit(name: str, hint: str = "NAME") -> Callable:
    from fixbot import codemods
    try:
        return codemods.get(name)
    except KeyError as err:
        raise click.BadParameter(err.args[0], param_hint=hint) from None


@main.command("codemods")
@_color_option
def list_codemods() -> None:
    """List the codemods, the failures they fix and the files they read."""
    from fixbot import codemods, fixes
    found = codemods.all_codemods()
    width = max(map(len, found), default=0)
    paint = _paint(sys.stdout)
    for name, codemod in found.items():
        kinds = ", ".join(dict.fromkeys(map(fixes.canonical, codemod.HANDLES)))
        _out(f"{paint(f'{name:<{width}}', bold=True)}  {codemod.understands()}\n"
             f"{'':<{width}}  fixes: {kinds}. {codemod.DESCRIPTION.strip().splitlines()[0]}\n", paint)


@main.command("codemod")
@click.argument("name")
@click.argument("paths", nargs=-1, required=True, type=click.Path(), metavar="FILE|DIR...")
@click.option("--diff", is_flag=True, help="Print a unified diff instead of writing the files.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when a file would change.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), metavar="N",
              help="Worker processes (default: one per CPU, one for a handful of files; 1: no workers).")
@_color_option
def run_codemod(name: str, paths: tuple[str, ...], diff: bool, check: bool, jobs: int | None) -> None:
    """Run codemod NAME over each FILE, and over the files it reads below each DIR (skipping what .gitignore
    ignores), in place. A refusal exits 2 and leaves that file untouched; a file with nothing the codemod is about
    (no LOGGING at all) is left as it is."""
    from fixbot import batch
    from fixbot.listing import files_below

    codemod = _codemod_or_exit(name)
    files: list[str] = []
    named = set()  # the files given by name: only those get a note when there is nothing to do in them
    for path in paths:
        if os.path.isdir(path):
            below = files_below(path, codemod.FILES)
            if not below:
                _say(f"{path}: no file {name} reads ({', '.join(codemod.FILES)})")
            files += below
        else:
            files.append(path)
            named.add(path)
    paint = _paint(sys.stdout)
    changed, refused = False, False
    for outcome in batch.run(files, codemod, diff=diff, write=not (diff or check),
                             jobs=batch.default_jobs(len(files)) if jobs is None else jobs):
        if outcome.error is not None:  # a refusal quotes the file's code: redacted, as _Group does its errors
            _say(redact(outcome.error), "error")
            refused = True
        elif outcome.skipped:
            if outcome.path in named:
                _say(redact(f"{outcome.path}: nothing to do: {outcome.skipped}"))
        elif outcome.changed:
            changed = True
            if diff:
                _out(paint.diff(outcome.diff), paint)
            elif check:
                _out(f"would change: {outcome.path}\n", paint)
            else:
                click.echo(f"changed: {outcome.path}", err=True)
            for note in outcome.notes:  # the repository's text (a formatter's name): redacted, as apply's report
                _say(redact(f"{outcome.path}: {note}"))
    if refused:
        sys.exit(2)
    sys.exit(1 if check and changed else 0)


@main.command("check")
@click.argument("path", default=".", metavar="[PATH]")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True,
              help="text for people, json for programs, sarif for GitHub code scanning.")
@click.option("--fix", "fix", is_flag=True, help="Apply each finding's codemod in place, then check again.")
@click.option("--strict", is_flag=True, help="Exit 1 when there are log sites and none of them could be judged.")
@click.option("--platform", metavar="NAME", default=None,
              help="Where the deploy runs, as .fixbot.yml's deploy.platform says it: heroku, render, fly, hf-space, "
                   "cloud-run, kubernetes.")
@_color_option
def check(path: str, fmt: str, fix: bool, strict: bool, platform: str | None) -> None:
    """Find the log files a deploy of PATH (a repository) will fail to open, before it does: a directory nothing
    creates, or one only root may write while the container runs as another user. The last line on stderr says
    how many sites were seen and judged, and why the others were not.

    Exit 0: no finding among the sites judged; 1: findings (after --fix: findings left; with --strict, also sites
    of which none could be judged); 2: bad input."""
    from fixbot import check as checker

    paint = _paint(sys.stdout) if fmt == "text" else Paint(False)
    out, notes, code = checker.run(path, fmt, fix, strict, platform, paint=paint)
    click.echo(notes, nl=False, err=True)
    _out(out, paint)
    sys.exit(code)


@main.command("github-action", hidden=True)
def github_action() -> None:
    """The body of action.yml: inputs from INPUT_* variables, outputs to $GITHUB_OUTPUT and the step summary."""
    from fixbot import action

    sys.exit(action.main(os.environ))

if __name__ == "__main__":
    main()
