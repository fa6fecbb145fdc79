"""Prove a rewrite before it is committed, without running the user's code (unless they ask, with --verify-cmd).

Static checks: the result parses as what it is (it compiles, it is YAML, a script passes `-n` of the shell that
runs it: `bash -n` for bash, `sh -n` for /bin/sh and scripts without a shebang, a systemd unit passes
`systemd-analyze verify` where the machine has it);
each failure kind adds its own in its room (a rewritten LOGGING is valid for dictConfig). `verify_command` runs the
user's own command in a temporary worktree of the fix commit (made by `gitops`), as Repairnator validated its patches.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from fixbot.errors import FixbotError

# `#!/bin/bash`, `#! /usr/bin/env -S bash -e`, `#!/bin/sh`: the shell a script's shebang runs it with.
_SHEBANG = re.compile(r"#![ \t]*\S*?/(?:env[ \t]+(?:-\S+[ \t]+)*)?(?P<shell>bash|sh|dash|ash|ksh|mksh|zsh)(?=[ \t\r\n]|$)")


class VerifyFailed(FixbotError):
    """A rewrite did not pass its checks; nothing was changed."""


@dataclass(frozen=True)
class Checked:
    path: str
    checks: tuple[str, ...]  # what was proven, for the report and the PR body


def check(path: str, after: str, before: str | None = None) -> Checked:
    """Raise VerifyFailed naming the first problem of the rewritten `path`; say what was checked otherwise.
    These are checks of the file's format; a failure kind's own checks are in its room (`Fix.check`). With the
    original text `before`, a shell's complaint the original already drew word for word is not the rewrite's."""
    name = os.path.basename(path)
    done: list[str] = []
    if name.endswith(".py"):
        done.append(compiles(path, after))
    elif name.endswith((".yml", ".yaml")):
        try:
            yaml.safe_load(after)
        except yaml.YAMLError as err:
            raise VerifyFailed(f"{path}: the rewrite is not valid YAML: {str(err).splitlines()[0]}") from None
        done.append("parses as YAML")
    elif name.endswith(".service"):
        done += _unit_checked(path, after, before)
    shell = shell_of(name, after)
    found = shutil.which(shell) if shell else None
    if found:
        real = os.path.basename(os.path.realpath(found))
        here = f" ({shell} is {real} here)" if real != shell else ""
        problem = _syntax_error(found, after)
        if problem is None:
            done.append(f"{shell} -n passes{here}")
        elif before is not None and problem == _syntax_error(found, before):
            # `#!/bin/sh` over bash syntax, run as `bash start.sh`: the original drew the same complaint
            done.append(f"{shell} -n{here} rejects the original as it rejects the rewrite: {problem}")
        else:
            raise VerifyFailed(f"{path}: {shell} -n rejects the rewrite: {problem}")
    return Checked(path, tuple(done))


def compiles(path: str, text: str) -> str:
    """VerifyFailed unless `text` compiles as Python (whatever the file is named: `gunicorn -c gunicorn.conf`);
    what was proven otherwise."""
    try:
        compile(text, path, "exec", dont_inherit=True)
    except SyntaxError as err:
        # Syntax newer than this interpreter (a 3.12 `type` alias under 3.11) is what libcst reads for the codemods.
        from fixbot.formats import Refusal
        from fixbot.formats.python import precheck

        try:
            if precheck(text) is not None:
                return "parses as newer Python than this interpreter (libcst); not compiled"
        except Refusal:
            pass
        raise VerifyFailed(f"{path}:{err.lineno}: the rewrite does not compile: {err.msg}") from None
    except (ValueError, RecursionError, MemoryError) as err:  # NUL bytes; nested too deeply to compile
        raise VerifyFailed(f"{path}: the rewrite does not compile: {type(err).__name__}") from None
    return "compiles"


def _unit_checked(path: str, after: str, before: str | None) -> list[str]:
    """`systemd-analyze verify` on the rewritten unit (when this machine has it): what it says about the rewrite
    must all have been said about the original (a deploy's ExecStart names programs this machine lacks)."""
    tool = shutil.which("systemd-analyze")
    if tool is None:
        return []
    said = _unit_problems(tool, os.path.basename(path), after)
    if not said:
        return ["systemd-analyze verify passes"]
    new = sorted(said - (_unit_problems(tool, os.path.basename(path), before) if before is not None else set()))
    if new:
        raise VerifyFailed(f"{path}: systemd-analyze verify rejects the rewrite: {new[0]}")
    return [f"systemd-analyze verify says nothing of the rewrite it did not say of the original: {sorted(said)[0]}"]


def _unit_problems(tool: str, name: str, text: str) -> set[str]:
    """The lines `systemd-analyze verify` prints about a unit file named `name` holding `text`, its path dropped."""
    with tempfile.TemporaryDirectory(prefix="fixbot-unit-") as tmp:
        unit = Path(tmp) / name
        unit.write_text(text, encoding="utf-8")
        result = subprocess.run([tool, "verify", str(unit)], capture_output=True, timeout=30, cwd=tmp,
                                env={**os.environ, "SYSTEMD_LOG_COLOR": "0"})
    lines = {line.replace(str(unit), name).strip() for line in result.stderr.decode("utf-8", "replace").splitlines()}
    lines.discard("")
    return lines or ({f"exit {result.returncode}"} if result.returncode else set())


def _syntax_error(shell: str, text: str) -> str | None:
    """The first line of what `shell -n` says about `text`, None when it accepts it."""
    result = subprocess.run([shell, "-n"], input=text.encode(), capture_output=True, timeout=30)
    if result.returncode == 0:
        return None
    return " ".join(result.stderr.decode("utf-8", "replace").strip().splitlines()[:1]) or f"exit {result.returncode}"


def shell_of(name: str, text: str) -> str | None:
    """The shell that runs a script: its shebang's; `bash` for a `.bash` file; `sh` for a `.sh` file without a
    shebang (exec runs it with /bin/sh). None when the file is not a shell script."""
    match = _SHEBANG.match(text)
    if match:
        return match["shell"]
    if text.startswith("#!"):
        return None  # another interpreter (python, node): not a shell script, whatever its name
    if name.endswith(".bash"):
        return "bash"
    return "sh" if name.endswith(".sh") else None


def verify_command(repo: str | os.PathLike[str], commit: str, command: str, timeout: float = 600) -> str:
    """Run the user's `command` (from the command line, never from a log) in a temporary worktree of `commit`.

    `repo` is the run's `gitread.Session` (or a directory); `gitops.worktree` makes the worktree and removes it
    again whatever happens, so the repository keeps only the branch. Returns the tail of the command's output;
    raises VerifyFailed when it exits non-zero or runs past `timeout`."""
    from fixbot import gitops

    try:
        with gitops.worktree(repo, commit) as tree:
            returncode, output = _run_in(tree, command, timeout)
    except gitops.GitError as err:
        raise VerifyFailed(f"--verify-cmd: {err}") from None
    tail = output.decode("utf-8", "replace").strip().splitlines()[-5:]
    if returncode != 0:
        said = " | ".join(tail)[-300:] or "(no output)"
        raise VerifyFailed(f"--verify-cmd exited {returncode} on the fixed tree: {said}")
    return "\n".join(tail)


def _run_in(tree: Path, command: str, timeout: float) -> tuple[int, bytes]:
    # Its own process group: on a timeout everything the command started (a dev server, say) goes too.
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(command, shell=True, cwd=tree, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise VerifyFailed(f"--verify-cmd did not finish within {timeout:.0f}s") from None
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            proc.wait()
        out.seek(0)
        return proc.returncode, out.read()
