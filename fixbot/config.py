"""Read and validate a repository's `.fixbot.yml`, with errors that name the file, the key and the line."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from fixbot.errors import FixbotError, did_you_mean
from fixbot.formats import yaml_nodes
from fixbot.gitops import DEFAULT_AUTHOR, branch_name_problem

if TYPE_CHECKING:
    from fixbot.repo import RepoView

FILENAME = ".fixbot.yml"

_STR, _BOOL, _NULL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"
_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")
_TEAM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_CODEMOD = re.compile(r"[a-z0-9][a-z0-9-]*")
SETTINGS_MODULE = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


class ConfigError(FixbotError):
    """`.fixbot.yml` cannot be used; the message is `FILE:LINE: what is wrong`."""


@dataclass(frozen=True)
class Author:
    """Who fixbot's commits are by."""

    name: str = DEFAULT_AUTHOR[0]
    email: str = DEFAULT_AUTHOR[1]

    def as_tuple(self) -> tuple[str, str]:
        return (self.name, self.email)


@dataclass(frozen=True)
class PullRequest:
    """How fixbot's pull requests are opened."""

    labels: tuple[str, ...] = ("fixbot",)
    reviewers: tuple[str, ...] = ()
    team_reviewers: tuple[str, ...] = ()
    draft: bool = False


@dataclass(frozen=True)
class Config:
    """Everything `.fixbot.yml` can set; `codemods=None` means every codemod is enabled."""

    codemods: tuple[str, ...] | None = None
    logging: str = "console"
    branch_prefix: str = "fixbot/"
    author: Author = field(default_factory=Author)
    pull_request: PullRequest = field(default_factory=PullRequest)
    settings: str | None = None  # the DJANGO_SETTINGS_MODULE deploys run with, when the repository does not say
    deploy: object = None  # fixbot.check.platforms.Declared: where the deploy runs, when the repository does not say
    source: Path | None = None  # the file these settings came from; None for built-in defaults

    def enables(self, codemod: str) -> bool:
        return self.codemods is None or codemod in self.codemods


def load_config(
    path: Path | str | None,
    repo: "RepoView",
    *,
    known_codemods: Iterable[str] | None = None,
) -> Config:
    """The settings in `path`, or in `.fixbot.yml` at the top of `repo`; defaults when there is none.

    A file inside the repository is read through `repo`, as every other file is: from HEAD's tree when the
    view reads a commit (an untracked or edited copy on disk plays no part), and never through a symlink. Only
    a file outside the repository (`--config` given by the user) is read from the disk.
    `known_codemods`, when given, makes an unknown codemod name an error too.
    """
    relative = FILENAME if path is None else _inside(Path(path), repo.root)
    if relative is None:
        return _load_file(Path(path), known_codemods)
    if repo.is_link(relative):
        raise ConfigError(f"{relative}: is a symlink; fixbot reads its settings only from a regular file in the repository")
    if repo.safe(relative) is None:
        if path is None:
            return Config()
        if repo.commit is None:
            missing = not (repo.root / relative).exists()
            raise ConfigError(f"{relative}: {'no such file' if missing else 'not a regular file in the repository'}")
        raise ConfigError(f"{relative}: not a file of commit {repo.commit[:12]}; fixbot reads its settings as HEAD"
                          " holds them, a --dry-run too (commit it first)")
    return _parse_bytes(repo.read_bytes(relative), relative, known_codemods, repo.root / relative)


def _inside(path: Path, root: Path) -> str | None:
    """`path` relative to the repository at `root` (posix), or None when it lies outside it. Judged on the path as
    written, before any symlink in it is followed (a committed `cfg -> ~/.config` keeps `cfg/x` a repository
    path, which the view then refuses), and on the path it resolves to, for a root reached through an alias."""
    for candidate in (Path(os.path.abspath(path)), path.absolute().resolve()):
        if candidate.is_relative_to(root):
            return candidate.relative_to(root).as_posix()
    return None


MAX_BYTES = 1 << 20  # a settings file is a few lines; more is not one


def _load_file(path: Path, known_codemods: Iterable[str] | None) -> Config:
    """A settings file outside the repository, given with --config: a regular file only (a FIFO would hang)."""
    from fixbot.errors import BadInput
    from fixbot.logs import open_regular

    try:
        with open_regular(str(path)) as handle:
            raw = handle.read(MAX_BYTES + 1)
    except BadInput as err:
        raise ConfigError(str(err)) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_BYTES >> 20} MiB, not a fixbot settings file")
    return _parse_bytes(raw, str(path), known_codemods, path)


def _parse_bytes(raw: bytes, shown: str, known_codemods: Iterable[str] | None, source: Path) -> Config:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{shown}:{line}: is not UTF-8 text") from None
    return parse_config(text, shown, known_codemods=known_codemods, source=source)


def parse_config(
    text: str,
    filename: str = FILENAME,
    *,
    known_codemods: Iterable[str] | None = None,
    source: Path | None = None,
) -> Config:
    """The settings in `text`; errors are reported against `filename`."""
    try:
        root = yaml_nodes.compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{filename}:{mark.line + 1}" if mark else filename
        what = exc.problem or exc.context or "cannot be parsed"
        if exc.context and exc.problem and exc.problem.startswith("but "):
            what = f"{exc.context}, {exc.problem}"  # PyYAML splits one sentence in two here
        elif exc.context and exc.problem:
            # The problem is often found only at the end of the file; the context says where it started.
            started = exc.context_mark
            what += f" ({exc.context}" + (f" started on line {started.line + 1})" if started else ")")
        raise ConfigError(f"{where}: invalid YAML: {_one_line(what)}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{filename}: invalid YAML: {_one_line(str(exc))}") from None
    if root is None or (root.tag == _NULL and isinstance(root, yaml.ScalarNode)):
        return Config(source=source)
    v = _Validator(filename)
    top = v.mapping(root, "", "the file", _TOP_KEYS)

    kwargs: dict = {"source": source}
    if "codemods" in top:
        names = v.strings(top["codemods"], "codemods", _CODEMOD, "codemod name")
        if known_codemods is not None:
            known = sorted(known_codemods)
            for item, name in zip(top["codemods"].value, names):
                if name not in known:
                    v.fail(item, f"codemods: unknown codemod {name!r}{did_you_mean(name, known)} (known: {', '.join(known)})")
        kwargs["codemods"] = names
    if "logging" in top:
        node = top["logging"]
        strategy = v.string(node, "logging")
        if strategy not in LOGGING_CHOICES:
            v.fail(node, f"logging must be one of {', '.join(LOGGING_CHOICES)}, not {strategy!r}")
        kwargs["logging"] = strategy
    if "settings" in top:
        node = top["settings"]
        module = v.string(node, "settings")
        if not SETTINGS_MODULE.fullmatch(module):
            v.fail(node, f"settings {module!r} is not a dotted Python module name (like config.settings.prod)")
        kwargs["settings"] = module
    if "branch_prefix" in top:
        node = top["branch_prefix"]
        prefix = v.string(node, "branch_prefix")
        # The prefix is checked as part of a complete branch name, which is what git will see.
        problem = branch_name_problem(prefix + "x") if prefix else "it is empty"
        if problem:
            v.fail(node, f"branch_prefix {prefix!r} cannot start a branch name: {problem}")
        kwargs["branch_prefix"] = prefix
    if "author" in top:
        author = v.mapping(top["author"], "author", "author", ("name", "email"))
        values = {}
        for key, node in author.items():
            value = v.string(node, f"author.{key}")
            if not value.strip() or any(c in value for c in "<>\n\r\0"):
                v.fail(node, f"author.{key} {value!r} cannot be used in a commit (empty, or contains < > or a newline)")
            if key == "email" and not re.fullmatch(r"[^@\s]+@[^@\s]+", value):
                v.fail(node, f"author.email {value!r} is not an email address")
            values[key] = value.strip()
        kwargs["author"] = Author(**values)
    if "pull_request" in top:
        pr = v.mapping(top["pull_request"], "pull_request", "pull_request", _PR_KEYS)
        values = {}
        if "labels" in pr:
            labels = v.strings(pr["labels"], "pull_request.labels")
            for item, label in zip(pr["labels"].value, labels):
                if not label.strip() or len(label) > 50:
                    v.fail(item, f"pull_request.labels: {label!r} is not a GitHub label name (1 to 50 characters)")
            values["labels"] = labels
        if "reviewers" in pr:
            values["reviewers"] = v.strings(pr["reviewers"], "pull_request.reviewers", _LOGIN, "GitHub login", at=True)
        if "team_reviewers" in pr:
            values["team_reviewers"] = v.strings(
                pr["team_reviewers"], "pull_request.team_reviewers", _TEAM, "team slug", at=True
            )
        if "draft" in pr:
            values["draft"] = v.boolean(pr["draft"], "pull_request.draft")
        kwargs["pull_request"] = PullRequest(**values)
    if "deploy" in top:
        kwargs["deploy"] = _deploy(v, top["deploy"], filename)
    return Config(**kwargs)


def _deploy(v: "_Validator", node: yaml.Node, filename: str):
    """`deploy:` -- the image, user, root filesystem and platform the deploy runs on, for `fixbot check`."""
    from fixbot.check import images, platforms

    found = v.mapping(node, "deploy", "deploy", _DEPLOY_KEYS)
    values: dict = {"file": filename, "line": node.start_mark.line + 1,
                    "lines": {key: n.start_mark.line + 1 for key, n in found.items()}}
    if "image" in found:
        image = v.string(found["image"], "deploy.image")
        if images.lookup(image) is None:
            known = ", ".join(sorted({i.family for i in images.IMAGES}))
            v.fail(found["image"], f"deploy.image {image!r} is not an image fixbot knows the facts of (known: {known})")
        values["image"] = image
    if "user" in found:
        user = found["user"]
        if not (isinstance(user, yaml.ScalarNode) and user.tag in (_STR, "tag:yaml.org,2002:int")):
            v.fail(user, f"deploy.user must be a user name or a UID, not {_kind(user)}")
        if not re.fullmatch(r"[a-z_][\w.-]*\$?|\d+", user.value):
            v.fail(user, f"deploy.user {user.value!r} is not a user name or a UID")
        values["user"] = user.value
    if "read_only_root" in found:
        values["read_only_root"] = v.boolean(found["read_only_root"], "deploy.read_only_root")
    if "platform" in found:
        name = v.string(found["platform"], "deploy.platform")
        if name not in platforms.PLATFORMS:
            v.fail(found["platform"], f"deploy.platform must be one of {', '.join(platforms.PLATFORMS)}, not {name!r}"
                   f"{did_you_mean(name, platforms.PLATFORMS)}")
        values["platform"] = name
    return platforms.Declared(**values)


# `logging:` -- how a broken log file is fixed: sent to the console, or kept in a directory that exists. The
# logging-handler room says which codemod each choice means.
LOGGING_CHOICES = ("console", "path")
_TOP_KEYS = ("codemods", "logging", "settings", "branch_prefix", "author", "pull_request", "deploy")
_DEPLOY_KEYS = ("image", "user", "read_only_root", "platform")
_PR_KEYS = ("labels", "reviewers", "team_reviewers", "draft")


class _Validator:
    """Checks composed YAML nodes; every failure points at the node's line."""

    def __init__(self, filename: str) -> None:
        self.filename = filename

    def fail(self, node: yaml.Node, message: str):
        raise ConfigError(f"{self.filename}:{node.start_mark.line + 1}: {message}")

    def mapping(self, node: yaml.Node, dotted: str, what: str, allowed: tuple[str, ...]) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what} must be a mapping of {', '.join(allowed)}, not {_kind(node)}")
        found: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            name = f"{dotted}.{key}" if dotted else key
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.fail(key_node, "YAML merge keys (<<) are not supported here")
            if key not in allowed:
                shown = name if isinstance(key, str) else _kind(key_node)
                self.fail(key_node, f"unknown key {shown}{did_you_mean(str(key), allowed)} (allowed: {', '.join(allowed)})")
            if key in found:
                self.fail(key_node, f"duplicate key {name}")
            found[key] = value_node
        return found

    def string(self, node: yaml.Node, dotted: str) -> str:
        if not (isinstance(node, yaml.ScalarNode) and node.tag == _STR):
            self.fail(node, f"{dotted} must be a string, not {_kind(node)}")
        return node.value

    def boolean(self, node: yaml.Node, dotted: str) -> bool:
        if not (isinstance(node, yaml.ScalarNode) and node.tag == _BOOL):
            self.fail(node, f"{dotted} must be true or false, not {_kind(node)}")
        return yaml.SafeLoader.bool_values[node.value.lower()]

    def strings(
        self,
        node: yaml.Node,
        dotted: str,
        pattern: re.Pattern[str] | None = None,
        what: str = "",
        at: bool = False,
    ) -> tuple[str, ...]:
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, f"{dotted} must be a list of strings, not {_kind(node)}")
        values = []
        for item in node.value:
            if not (isinstance(item, yaml.ScalarNode) and item.tag == _STR):
                self.fail(item, f"{dotted} must be a list of strings, but one item is {_kind(item)}")
            value = item.value
            if at:
                value = value.removeprefix("@")  # people write reviewers as they would mention them
            if pattern is not None and not pattern.fullmatch(value):
                self.fail(item, f"{dotted}: {item.value!r} is not a valid {what}")
            values.append(value)
        return tuple(values)


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    kinds = {
        _STR: "a string",
        _BOOL: "a boolean",
        _NULL: "empty (null)",
        "tag:yaml.org,2002:int": "a number",
        "tag:yaml.org,2002:float": "a number",
        "tag:yaml.org,2002:timestamp": "a date",
    }
    return kinds.get(node.tag, f"a {node.tag.rsplit(':', 1)[-1]} value")


def _one_line(text: str) -> str:
    return " ".join(text.split())
