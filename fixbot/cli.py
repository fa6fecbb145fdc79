"""The `fixbot` command line: thin commands over the pipeline, and one place that turns errors into exit codes."""

from __future__ import annotations

import os
import sys
from typing import Any, Callable

import click

from fixbot.errors import FixbotError
from fixbot.redact import redact


class _Group(click.Group):
    """Every FixbotError becomes one line on stderr and its exit code; nothing else shows a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FixbotError as err:  # messages quote the log (a path, a frame): redacted like everything else
            click.echo(f"fixbot: {redact(str(err))}", err=True)
            sys.exit(err.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("fixbot: interrupted", err=True)
            sys.exit(130)
        except Exception as err:  # a bug in fixbot: still one line, unless asked for the traceback
            if os.environ.get("FIXBOT_DEBUG"):
                raise
            click.echo(f"fixbot: internal error: {type(err).__name__}: {redact(str(err))} (FIXBOT_DEBUG=1 shows more)",
                       err=True)
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="fixbot")
def main() -> None:
    """fixbot: finds why a deploy died on its logging configuration and fixes it with a codemod."""


@main.command()
@click.argument("log", default="-", metavar="[LOG|-]")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
    help="text for people, json for programs, github for workflow annotations and the step summary.",
)
def diagnose(log: str, fmt: str) -> None:
    """Say what failed in LOG (a file, .gz, a run's .zip, or - for stdin), why, and which codemod fixes it.

    Exit 0: a failure with a fix was found; 1: nothing fixable; 2: the input was bad."""
    from fixbot import diagnose as engine
    from fixbot import report

    try:
        findings = engine.diagnose_path(log)
    except engine.EmptyLog as err:
        findings = []
        click.echo(f"fixbot: {err}", err=True)
    if fmt == "json":
        click.echo(report.diagnosis_json(findings))
    elif fmt == "github":
        click.echo(report.diagnosis_annotations(findings), nl=False)
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            try:
                with open(summary, "a", encoding="utf-8") as out:
                    out.write(report.diagnosis_markdown(findings) + "\n")
            except OSError as err:  # the annotations are out; a summary the runner cannot take is no failure
                click.echo(f"fixbot: warning: cannot write the step summary (GITHUB_STEP_SUMMARY): {redact(str(err))}",
                           err=True)
    else:
        click.echo(report.diagnosis_text(findings, log), nl=False)
    sys.exit(0 if any(f.fixable for f in findings) else 1)


@main.command()
@click.option("--log", "log", metavar="LOG|-", help="The failing log: a file, .gz, a run's .zip, or -.")
@click.option("--run-id", "run_id", metavar="ID", help="Instead of --log: download this Actions run's logs.")
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
def apply(log: str | None, run_id: str | None, repo: str, dry_run: bool, codemod: str | None, config: str | None,
          verify_cmd: str | None, open_pr: bool, base_branch: str | None, force: bool, settings: str | None,
          fmt: str) -> None:
    """Diagnose LOG and commit the fix on a new branch of REPO, without touching your checkout.

    Exit 0: fixed or already fixed; 1: nothing fixable; 2: refused or an error (nothing changed)."""
    from fixbot import apply as pipeline
    from fixbot import report
    from fixbot.model import Result

    if (log is None) == (run_id is None):
        raise click.UsageError("give one of --log and --run-id")
    if codemod is not None:
        _codemod_or_exit(codemod, "--codemod")
    if verify_cmd and dry_run:
        raise click.UsageError("--verify-cmd runs on the fix commit, which --dry-run does not make")
    try:
        result = pipeline.run(
            log, repo, run_id=run_id, dry_run=dry_run, codemod=codemod, config_path=config, verify_cmd=verify_cmd,
            open_pr=open_pr, base_branch=base_branch, force=force, run_url=pipeline.run_url(dict(os.environ), run_id),
            settings=settings,
        )
    except FixbotError as err:
        if fmt == "json":
            click.echo(report.apply_json(Result("refused", error=redact(str(err)), dry_run=dry_run)))
        raise
    for warning in result.warnings:
        click.echo(f"fixbot: warning: {report.redact(warning)}", err=True)
    if fmt == "json":
        click.echo(report.apply_json(result))
    else:
        click.echo(report.apply_text(result, log if run_id is None else f"run {run_id}", colour=sys.stdout.isatty(),
                                     preview=report.preview_command(log, run_id, repo)), nl=False)
    sys.exit(result.exit_code)


def _codemod_or_exit(name: str, hint: str = "NAME") -> Callable:
    from fixbot import codemods
    try:
        return codemods.get(name)
    except KeyError as err:
        raise click.BadParameter(err.args[0], param_hint=hint) from None


@main.command("codemods")
def list_codemods() -> None:
    """List the codemods, the failures they fix and the files they read."""
    from fixbot import codemods, fixes
    found = codemods.all_codemods()
    width = max(map(len, found), default=0)
    for name, codemod in found.items():
        click.echo(f"{name:<{width}}  {codemod.understands()}")
        click.echo(f"{'':<{width}}  fixes: {', '.join(dict.fromkeys(map(fixes.canonical, codemod.HANDLES)))}. {codemod.DESCRIPTION.strip().splitlines()[0]}")


@main.command("codemod")
@click.argument("name")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--diff", is_flag=True, help="Print a unified diff instead of writing the files.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when a file would change.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), metavar="N",
              help="Worker processes (default: one per CPU, one for a handful of files; 1: no workers).")
def run_codemod(name: str, files: tuple[str, ...], diff: bool, check: bool, jobs: int | None) -> None:
    """Run codemod NAME over FILES, in place. A refusal exits 2 and leaves that file untouched; a file with
    nothing the codemod is about (no LOGGING at all) is left as it is."""
    from fixbot import batch

    codemod = _codemod_or_exit(name)
    changed, refused = False, False
    for outcome in batch.run(files, codemod, diff=diff, write=not (diff or check),
                             jobs=batch.default_jobs(len(files)) if jobs is None else jobs):
        if outcome.error is not None:
            click.echo(f"fixbot: {outcome.error}", err=True)
            refused = True
        elif outcome.skipped:
            click.echo(f"fixbot: {outcome.path}: nothing to do: {outcome.skipped}", err=True)
        elif outcome.changed:
            changed = True
            if diff:
                click.echo(outcome.diff, nl=False)
            elif check:
                click.echo(f"would change: {outcome.path}")
            else:
                click.echo(f"changed: {outcome.path}", err=True)
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
def check(path: str, fmt: str, fix: bool, strict: bool, platform: str | None) -> None:
    """Find the log files a deploy of PATH (a repository) will fail to open, before it does: a directory nothing
    creates, or one only root may write while the container runs as another user. The last line on stderr says
    how many sites were seen and judged, and why the others were not.

    Exit 0: no finding among the sites judged; 1: findings (after --fix: findings left; with --strict, also sites
    of which none could be judged); 2: bad input."""
    from fixbot import check as checker

    out, notes, code = checker.run(path, fmt, fix, strict, platform)
    click.echo(notes, nl=False, err=True)
    click.echo(out, nl=False)
    sys.exit(code)


@main.command("github-action", hidden=True)
def github_action() -> None:
    """The body of action.yml: inputs from INPUT_* variables, outputs to $GITHUB_OUTPUT and the step summary."""
    from fixbot import action

    sys.exit(action.main(os.environ))

if __name__ == "__main__":
    main()
