"""`fixbot check`: find log files whose directory will be missing when the process starts, before anything deploys.

`run(path, fmt, fix)` lists the repository's files, reads every log file its configurations name
(check/sites.py) and every directory it makes exist (check/dirs.py), and judges each site: a path fixbot cannot
evaluate, a relative one, or a container it cannot see the base of gets no finding. `--fix` runs each finding's
codemod on its file in place (fixbot/files.py: atomic writes) and checks again.
"""

from __future__ import annotations

import os
import posixpath
import re
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from fixbot.check import deploy
from fixbot.check import dirs as dirs_mod
from fixbot.check import owners
from fixbot.check import sites as sites_mod
from fixbot.errors import BadInput
from fixbot.listing import NOT_SOURCE_DIRS

_DEPLOY = re.compile(r"(?i)(dockerfile|containerfile|\.ya?ml$|\.env|\.sh$|procfile|entrypoint|\.conf$|\.ini$)")
_STD = frozenset({"-", "/dev/stdout", "/dev/stderr", "/dev/null", "/proc/self/fd/1", "/proc/self/fd/2"})
MAX_FILES = 20000
# Gunicorn's own --user / `user =`, or a program that runs the rest as someone else.
# A `cd`, Gunicorn's --chdir, supervisord's directory=: a relative path is relative to something else then.
_MOVE = re.compile(r"(?m)(^|[;&|(]\s*|\bthen\s+|\bdo\s+)cd\s|--chdir\b|^chdir\s*=|^directory\s*=|\bpushd\b")
# supervisord's `directory =` moves the programs of its own file only, not a script started elsewhere
_MOVE_OTHERS = re.compile(r"(?m)(^|[;&|(]\s*|\bthen\s+|\bdo\s+)cd\s|--chdir\b|^chdir\s*=|\bpushd\b")
_SWITCH = re.compile(r"(?m)--user\b|^user\s*=|\b(sudo|su|gosu|su-exec|runuser|setpriv|chpst)\b")

RULES = {
    "log-dir-missing": "A log file's directory does not exist when the process starts",
    "log-dir-unwritable": "A log file's directory belongs to root while the container runs as another user",
    "gunicorn-output-in-file": "Gunicorn captures the app's output into a log file inside the container",
    "gunicorn-worker-tmp-read-only": "Gunicorn's workers find no writable directory for their heartbeat files on a "
                                     "read-only root",
}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    log_path: str
    evidence: str
    codemod: str
    rule: str = "log-dir-missing"


@dataclass(frozen=True)
class NotJudged:
    """A site fixbot saw and could not judge, and why."""

    path: str
    line: int
    why: str


@dataclass(frozen=True)
class Report:
    findings: list[Finding]
    seen: int  # sites on the deploy's start path
    not_judged: list[NotJudged]

    @property
    def judged(self) -> int:
        return self.seen - len(self.not_judged)


def list_files(root: Path) -> list[str]:
    """The repository's files, repo-relative: git's tracked files, else every file below `root`."""
    try:
        out = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached"], capture_output=True,
                             check=True, timeout=60).stdout
        files = [f for f in out.decode("utf-8", "replace").split("\0") if f]
        if files:
            return files[:MAX_FILES]
    except (OSError, subprocess.SubprocessError):
        pass
    found: list[str] = []
    for top, subdirs, names in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in NOT_SOURCE_DIRS)
        rel = os.path.relpath(top, root)
        found += [n if rel == "." else f"{rel}/{n}".replace(os.sep, "/") for n in sorted(names)]
        if len(found) > MAX_FILES:
            break
    return found[:MAX_FILES]


def _reader(root: Path):
    from fixbot.files import MAX_SOURCE

    cache: dict[str, str | None] = {}

    def read(file: str) -> str | None:
        if file not in cache:
            path = root / file
            try:
                text = None
                if path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_SOURCE:
                    text = path.read_bytes().decode("utf-8-sig")
            except (OSError, UnicodeDecodeError):
                text = None
            cache[file] = text
        return cache[file]

    return read


def find(root: Path, declared=None) -> Report:
    """Every finding in the repository at `root`, and the sites it could not judge; `declared`: the environment
    .fixbot.yml or --platform declares (check/platforms.Declared)."""
    from fixbot.repo import RepoView

    files = list_files(root)
    read = _reader(root)
    made = dirs_mod.collect(files, read, declared)
    # with no Dockerfile a platform (or a person) starts the start script: its sites are seen, judged when declared
    used = deploy.run_files(files, read, starters=made.dockerfiles == 0)
    with RepoView.open(root) as repo:
        every = declared is not None and declared.platform is not None
        walks = deploy.settings_walks(repo, files, used, read, every)
        settings = None if walks is None else set().union(*(walk.seen for walk in walks))
        if settings is not None:
            settings |= deploy.named_by(files, [read(f) or "" for f in settings])
        judged = [f for f in files if f in used or (settings is not None and f in settings)]
        found = [s for s in sites_mod.sites(repo, judged, read, walks or []) if made.read_only or not s.read_only_rule]
    deploy_texts = {f: read(f) or "" for f in files if _DEPLOY.search(posixpath.basename(f))}
    switches = any(_SWITCH.search(read(f) or "") for f in used)  # the user may change on the way to the process
    moves = any(_MOVE_OTHERS.search(deploy.live(read(f) or "")) for f in used)  # so may the directory it starts in
    findings, unjudged = set(), set()
    for site in found:
        outcome = verdict(_resolved(site, made, moves, read), made, deploy_texts, read, switches)
        if isinstance(outcome, Finding):
            findings.add(outcome)
        elif isinstance(outcome, NotJudged):
            unjudged.add(outcome)
    return Report(sorted(findings, key=lambda f: (f.path, f.line)), len(found),
                  sorted(unjudged, key=lambda n: (n.path, n.line, n.why)))


def _set_elsewhere(variable: str, site: sites_mod.Site, texts: dict[str, str]) -> str | None:
    """A deploy file that sets `variable` (so the default is not what runs), other than the site's own line."""
    pattern = re.compile(rf"(?m)(?:^|[\s\"'-]){re.escape(variable)}[ \t]*[=:][ \t]*\S")
    for file, text in texts.items():
        for match in pattern.finditer(text):
            if file == site.path and text.count("\n", 0, match.start()) + 1 == site.line:
                continue
            if "${" + variable in text[max(0, match.start() - 3): match.end()]:
                continue
            return file
    return None


def _resolved(site: sites_mod.Site, made: dirs_mod.Dirs, moves: bool, read) -> sites_mod.Site:
    """A relative log path made absolute against the container's WORKDIR, when nothing moves the process away."""
    import dataclasses

    value, cwd = site.value, made.cwd
    if not value or value.startswith("/") or value in _STD or cwd is None:
        return site
    if moves or _MOVE.search(deploy.live(read(site.path) or "")):
        return site
    return dataclasses.replace(site, value=posixpath.normpath(posixpath.join(cwd, value)),
                               what=f"{site.what} (relative to WORKDIR {cwd})")


def judge(site: sites_mod.Site, made: dirs_mod.Dirs, texts: dict[str, str], read, switches: bool = False
          ) -> Finding | None:
    """The finding at `site`, None when there is none or it cannot be judged."""
    outcome = verdict(site, made, texts, read, switches)
    return outcome if isinstance(outcome, Finding) else None


def verdict(site: sites_mod.Site, made: dirs_mod.Dirs, texts: dict[str, str], read, switches: bool = False
            ) -> Finding | NotJudged | None:
    """A Finding, NotJudged with the reason, or None: judged, and the directory is there and writable."""
    value = site.value
    if value in _STD:
        return None
    if not made.known:
        if made.unknown:
            return NotJudged(site.path, site.line, f"unknown base image {', '.join(dict.fromkeys(made.unknown))}")
        return NotJudged(site.path, site.line, "no container or platform definition: no Dockerfile, and no deploy: "
                                               "in .fixbot.yml or --platform")
    if value is None:
        return NotJudged(site.path, site.line, f"a path that cannot be evaluated: {site.written}")
    if not value.startswith("/"):
        return NotJudged(site.path, site.line, f"a relative path ({value}) and the directory the process starts "
                                               "in is not known")
    if site.default_of and (elsewhere := _set_elsewhere(site.default_of, site, texts)):
        return NotJudged(site.path, site.line, f"{site.default_of} is set in {elsewhere}: the value that runs "
                                               "there is not evaluated")
    directory = posixpath.dirname(posixpath.normpath(value))
    default = (f" ({site.default_of} is set nowhere in the repository: judged by its default {value!r})"
               if site.default_of else "")
    maker = made.exists(directory)
    if maker is None:
        others = {}
        for m in sorted(made.made, key=lambda m: (m.how == "chown", m.file, m.line)):
            if m.how not in ("COPY", "WORKDIR", "chown", "platform") and m.pattern is None and "log" in m.path.lower():
                others.setdefault(m.path, m)
        others = list(others.values())[:2]
        ignored = [f"{m.file}:{m.line} would copy it but .dockerignore leaves it out" for m in made.ignored
                   if m.path == directory][:1]
        evidence = "; ".join([*(str(m) for m in others), *ignored, f"nothing in this repository creates {directory}"])
        return Finding(site.path, site.line, value, f"{site.what} writes {value}: {evidence}{default}", site.codemod)
    why = None if switches or _SWITCH.search(read(site.path) or "") else owners.unwritable(made, directory)
    if why is None and made.read_only:
        why = owners.unwritable(made, directory)  # a read-only root is read-only for whoever runs
    if why is not None:
        return Finding(site.path, site.line, value, f"{site.what} writes {value}: {why}{default}", site.codemod,
                       site.read_only_rule or "log-dir-unwritable")
    if site.captures:
        there = maker if isinstance(maker, dirs_mod.Made) else f"{directory} exists in the base image"
        return Finding(site.path, site.line, value,
                       f"{site.what} {value} with --capture-output: the app's stdout and stderr (its console "
                       f"logging, a worker's boot traceback) go into that file inside the container, not to "
                       f"the container's log ({there})", site.codemod, "gunicorn-output-in-file")
    return None


def fix(root: Path, findings: list[Finding]) -> tuple[list[str], list[str], list[str]]:
    """Run each finding's codemod on its file, in place; (changed files, refusals, the changes' notes: `path: note`,
    as `fixbot codemod` prints them)."""
    from fixbot import codemods, files

    changed, refused, notes = [], [], []
    for path, name in dict.fromkeys((f.path, f.codemod) for f in findings):
        codemod = codemods.get(name)
        target = str(root / path)
        try:
            result = files.rewrite_file(target, codemod, write=True, **files.context(target, codemod.CONTEXT))
        except files.Refused as err:
            refused.append(str(err).replace(str(root) + os.sep, ""))
            continue
        if result.changed:
            changed.append(f"{path} ({name})")
            notes += [f"{path}: {note}" for note in result.notes]
    return changed, refused, notes


def _inert(text: str) -> str:
    """Text from the repository's files as fixbot prints it (report.py, redact.py): secrets masked, controls escaped,
    no workflow command the Actions runner would run, and on one line (a newline shown as \\n)."""
    from fixbot.redact import redact

    return redact(text.replace("\n", "\\n"))


def _shown(f: Finding) -> Finding:
    import dataclasses

    return dataclasses.replace(f, path=_inert(f.path), log_path=_inert(f.log_path), evidence=_inert(f.evidence))


def fix_command(f: Finding) -> str:
    """The command that fixes a finding, as a person pastes it: built with shlex.join (fixbot/commands.py)."""
    from fixbot import commands

    return commands.fixbot("codemod", f.codemod, f.path)


def render(report: Report, fmt: str, paint=None, fixed: int | None = None) -> str:
    """The report as `fmt`; text for people is `path:line: RULE message` and its fix, then a count like ruff's
    (`paint` colours it on a terminal; `fixed`: how many findings --fix fixed)."""
    from fixbot.report import to_json as inert_json  # JSON in which the runner finds no `##[`

    findings = [_shown(f) for f in report.findings]
    unjudged = [NotJudged(_inert(n.path), n.line, _inert(n.why)) for n in report.not_judged]
    if fmt == "json":
        keys = ("path", "line", "log_path", "evidence", "codemod", "rule")
        return inert_json({"findings": [{k: asdict(f)[k] for k in keys} for f in findings],
                           "not_judged": [asdict(n) for n in unjudged],
                           "summary": {"seen": report.seen, "judged": report.judged, "findings": len(findings)}}) + "\n"
    if fmt == "sarif":
        from fixbot.check.sarif import sarif

        return inert_json(sarif(findings, RULES, unjudged)) + "\n"
    from fixbot.colour import Paint

    paint = paint or Paint(False)
    lines = [f"{paint(f'{f.path}:{f.line}:', bold=True)} {paint(f.rule, fg='red', bold=True)} {f.evidence}"
             f"\n  fix: {fix_command(f)}" for f in findings]
    if not lines and not fixed:
        return "fixbot check: no findings\n"
    return "".join(line + "\n" for line in lines) + paint(_count(findings, fixed), bold=True) + "\n"


def _count(findings: list[Finding], fixed: int | None) -> str:
    """The closing line, as ruff ends its own: how many findings, and how many --fix fixes (or fixed)."""
    def plural(n: int) -> str:
        return f"{n} finding{'' if n == 1 else 's'}"

    if fixed is not None:
        return f"Found {plural(len(findings) + fixed)} ({fixed} fixed, {len(findings)} remaining)"
    fixable = sum(1 for f in findings if f.codemod)
    return f"Found {plural(len(findings))} ({fixable} fixable with --fix)"


def summary(report: Report) -> str:
    """The line every run ends with on stderr: what was seen, judged and found, and what was not judged and why."""
    def count(n: int, what: str) -> str:
        return f"{n} {what}{'' if n == 1 else 's'}"

    line = (f"fixbot check: {count(report.seen, 'site')} seen, {report.judged} judged, "
            f"{count(len(report.findings), 'finding')}")
    if report.not_judged:
        by_why: dict[str, list[str]] = {}
        for n in report.not_judged:
            by_why.setdefault(n.why, []).append(f"{n.path}:{n.line}")
        parts = [f"{', '.join(where[:3])}{f' and {len(where) - 3} more' if len(where) > 3 else ''} ({why})"
                 for why, where in by_why.items()]
        line += f"; {len(report.not_judged)} not judged: {'; '.join(parts)}"
    return _inert(line) + "\n"


def run(path: str, fmt: str = "text", fix_: bool = False, strict: bool = False, platform: str | None = None,
        paint=None) -> tuple[str, str, int]:
    """(stdout, stderr, exit code) of `fixbot check PATH`: 0 no finding among the sites judged, 1 findings (or,
    with `strict`, sites of which none could be judged). `paint` colours the text (fixbot.colour.Paint)."""
    root = Path(path)
    if not root.is_dir():
        raise BadInput(f"{path}: not a directory")
    root = root.resolve()
    declared = _declared(root, platform)
    report = find(root, declared)
    notes, fixed = [], None
    if fix_ and report.findings:
        changed, refused, said = fix(root, report.findings)
        notes += [f"fixbot: fixed: {_inert(c)}" for c in changed] + [f"fixbot: {_inert(n)}" for n in said]
        notes += [f"fixbot: {_inert(r)}" for r in refused]
        before, report = len(report.findings), find(root, declared)
        fixed = max(0, before - len(report.findings))
    code = 1 if report.findings or (strict and report.seen and not report.judged) else 0
    return render(report, fmt, paint, fixed), "".join(n + "\n" for n in notes) + summary(report), code


def _declared(root: Path, platform: str | None):
    """The environment .fixbot.yml's `deploy:` declares, with --platform over its platform (ConfigError: exit 2)."""
    import dataclasses

    from fixbot.check.platforms import PLATFORMS, Declared
    from fixbot.config import load_config
    from fixbot.repo import RepoView

    with RepoView.open(root) as repo:
        declared = load_config(None, repo).deploy
    if platform is None:
        return declared
    if platform not in PLATFORMS:
        raise BadInput(f"--platform {platform!r}: not one of {', '.join(PLATFORMS)}")
    if declared is None:
        return Declared(platform=platform, file="--platform")
    return dataclasses.replace(declared, platform=platform)
