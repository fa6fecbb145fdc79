""".fixbot.yml: defaults, every setting, and errors that name the file, the key and the line."""

from __future__ import annotations

import dataclasses
import json
import re
import textwrap
from pathlib import Path

import pytest

from fixbot import config as config_module
from fixbot.config import Author, Config, ConfigError, PullRequest
from fixbot.repo import RepoView
from tests.support.repos import git
from tests.support import ROOT

FULL = """\
# fixbot settings for this repository
codemods:
  - logging-console
  - gunicorn-stdout
logging: path
branch_prefix: bots/fixbot-
author:
  name: Deploy Bot
  email: deploy-bot@example.org
pull_request:
  labels: [fixbot, deploy]
  reviewers: ["@alice", bob]
  team_reviewers: [platform-team]
  draft: true
"""


def load_config(path, repo: Path, rev: str | None = None, **kwargs) -> Config:
    """The settings as apply reads them: through the repository view of `repo` (its disk, or commit `rev`)."""
    with RepoView.open(repo, rev=rev) as view:
        return config_module.load_config(path, view, **kwargs)


def write_config(repo: Path, text: str, name: str = ".fixbot.yml") -> Path:
    path = repo / name
    path.write_text(textwrap.dedent(text))
    return path


def test_no_file_means_defaults(tmp_path):
    config = load_config(None, tmp_path)
    assert config == Config()
    assert config.codemods is None and config.enables("anything")
    assert config.logging == "console"
    assert config.branch_prefix == "fixbot/"
    assert config.author.as_tuple() == ("fixbot", "fixbot@users.noreply.github.com")
    assert config.pull_request == PullRequest(labels=("fixbot",), reviewers=(), team_reviewers=(), draft=False)


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n", "---\n", "~\n"], ids=repr)
def test_empty_file_means_defaults(tmp_path, text):
    write_config(tmp_path, text)
    config = load_config(None, tmp_path)
    assert dataclasses.replace(config, source=None) == Config()


def test_full_file(tmp_path):
    path = write_config(tmp_path, FULL)
    config = load_config(None, tmp_path)
    assert config == Config(
        codemods=("logging-console", "gunicorn-stdout"),
        logging="path",
        branch_prefix="bots/fixbot-",
        author=Author(name="Deploy Bot", email="deploy-bot@example.org"),
        pull_request=PullRequest(
            labels=("fixbot", "deploy"), reviewers=("alice", "bob"), team_reviewers=("platform-team",), draft=True
        ),
        source=path,
    )
    assert config.enables("gunicorn-stdout") and not config.enables("something-else")


def test_partial_sections_keep_their_other_defaults(tmp_path):
    write_config(tmp_path, "author:\n  name: Ops\npull_request:\n  draft: false\n  reviewers: []\n")
    config = load_config(None, tmp_path)
    assert config.author == Author(name="Ops", email="fixbot@users.noreply.github.com")
    assert config.pull_request.labels == ("fixbot",)
    assert config.codemods is None


def test_empty_codemod_list_disables_every_codemod(tmp_path):
    write_config(tmp_path, "codemods: []\n")
    assert not load_config(None, tmp_path).enables("logging-console")


def test_config_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Config().logging = "path"  # type: ignore[misc]


def test_explicit_path_outside_the_repo(tmp_path):
    elsewhere = tmp_path / "ci"
    elsewhere.mkdir()
    path = write_config(elsewhere, "logging: path\n", name="fixbot-ci.yml")
    repo = tmp_path / "repo"
    repo.mkdir()
    write_config(repo, "logging: console\n")
    assert load_config(path, repo).logging == "path"


def test_explicit_path_that_does_not_exist(tmp_path):
    with pytest.raises(ConfigError, match=r"nope\.yml: no such file"):
        load_config(tmp_path / "nope.yml", tmp_path)


@pytest.mark.parametrize(
    "text, message",
    [
        pytest.param(
            "logging: console\npull_request:\n  draft: false\n  labels: fixbot\n",
            ".fixbot.yml:4: pull_request.labels must be a list of strings, not a string",
            id="labels-string",
        ),
        pytest.param(
            "pull_request:\n  labels:\n",
            ".fixbot.yml:2: pull_request.labels must be a list of strings, not empty (null)",
            id="labels-null",
        ),
        pytest.param(
            "pull_request:\n  labels:\n    - fixbot\n    - 7\n",
            ".fixbot.yml:4: pull_request.labels must be a list of strings, but one item is a number",
            id="label-number",
        ),
        pytest.param(
            "logging: console\npull_requests:\n  labels: []\n",
            ".fixbot.yml:2: unknown key pull_requests; did you mean pull_request?",
            id="unknown-top-key",
        ),
        pytest.param(
            "pull_request:\n  labels: []\n  assignees: [alice]\n",
            ".fixbot.yml:3: unknown key pull_request.assignees",
            id="unknown-nested-key",
        ),
        pytest.param(
            "author:\n  name: x\n  mail: x@y.z\n",
            ".fixbot.yml:3: unknown key author.mail; did you mean email?",
            id="unknown-author-key",
        ),
        pytest.param(
            "\n\nlogging: file\n",
            ".fixbot.yml:3: logging must be one of console, path, not 'file'",
            id="logging-strategy",
        ),
        pytest.param("logging: [console]\n", ".fixbot.yml:1: logging must be a string, not a list", id="logging-list"),
        pytest.param(
            "pull_request:\n  draft: 'yes please'\n",
            ".fixbot.yml:2: pull_request.draft must be true or false, not a string",
            id="draft-string",
        ),
        pytest.param("codemods: all\n", ".fixbot.yml:1: codemods must be a list of strings, not a string", id="codemods"),
        pytest.param(
            "codemods:\n  - Logging Console\n",
            ".fixbot.yml:2: codemods: 'Logging Console' is not a valid codemod name",
            id="codemod-name",
        ),
        pytest.param(
            "branch_prefix: 'fix bot/'\n",
            ".fixbot.yml:1: branch_prefix 'fix bot/' cannot start a branch name",
            id="prefix-space",
        ),
        pytest.param("branch_prefix: ''\n", ".fixbot.yml:1: branch_prefix '' cannot start", id="prefix-empty"),
        pytest.param("branch_prefix: -x/\n", ".fixbot.yml:1: branch_prefix '-x/' cannot start", id="prefix-option"),
        pytest.param("author: fixbot\n", ".fixbot.yml:1: author must be a mapping of name, email, not a string", id="author"),
        pytest.param(
            "author:\n  email: not-an-address\n",
            ".fixbot.yml:2: author.email 'not-an-address' is not an email address",
            id="author-email",
        ),
        pytest.param(
            "author:\n  name: 'a <b>'\n", ".fixbot.yml:2: author.name 'a <b>' cannot be used in a commit", id="author-name"
        ),
        pytest.param(
            "pull_request:\n  reviewers: [alice, 'bob smith']\n",
            ".fixbot.yml:2: pull_request.reviewers: 'bob smith' is not a valid GitHub login",
            id="reviewer-login",
        ),
        pytest.param(
            "pull_request:\n  team_reviewers: {platform: yes}\n",
            ".fixbot.yml:2: pull_request.team_reviewers must be a list of strings, not a mapping",
            id="team-mapping",
        ),
        pytest.param("logging: path\nlogging: console\n", ".fixbot.yml:2: duplicate key logging", id="duplicate"),
        pytest.param(
            "- logging: path\n",
            ".fixbot.yml:1: the file must be a mapping of codemods, logging, settings, branch_prefix, author, pull_request, deploy, not a list",
            id="top-list",
        ),
        pytest.param("42\n", ".fixbot.yml:1: the file must be a mapping", id="top-number"),
    ],
)
def test_error_names_file_key_and_line(tmp_path, text, message):
    write_config(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(None, tmp_path)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    "text, line, problem",
    [
        pytest.param(
            "logging: console\npull_request:\n  labels: [fixbot\n",
            4,
            "expected ',' or ']', but got '<stream end>' (while parsing a flow sequence started on line 3)",
            id="open-flow",
        ),
        pytest.param("logging: console\n  branch_prefix: x/\n", 2, "mapping values are not allowed here", id="indent"),
        pytest.param("a: 1\n\tb: 2\n", 2, "found character '\\t'", id="tab"),
        pytest.param("logging: 'console\n", 2, "found unexpected end of stream", id="open-quote"),
        pytest.param("logging: path\n---\nlogging: console\n", 2, "expected a single document", id="two-documents"),
    ],
)
def test_bad_yaml_is_one_line_with_the_line_number(tmp_path, text, line, problem):
    write_config(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(None, tmp_path)
    message = str(info.value)
    assert message.startswith(f".fixbot.yml:{line}: invalid YAML: ")
    assert problem in message
    assert "\n" not in message


def test_file_that_is_not_utf8(tmp_path):
    (tmp_path / ".fixbot.yml").write_bytes(b"logging: console\nauthor:\n  name: caf\xe9\n")
    with pytest.raises(ConfigError, match=r"^\.fixbot\.yml:3: is not UTF-8 text$"):
        load_config(None, tmp_path)


def test_unknown_codemod_is_an_error_when_the_known_ones_are_given(tmp_path):
    write_config(tmp_path, "codemods:\n  - logging-console\n  - gunicorn-stdot\n")
    with pytest.raises(ConfigError, match=r"^\.fixbot\.yml:3: codemods: unknown codemod 'gunicorn-stdot'; did you mean"):
        load_config(None, tmp_path, known_codemods=["logging-console", "gunicorn-stdout"])
    assert load_config(None, tmp_path).codemods == ("logging-console", "gunicorn-stdot")


def test_explicit_file_is_named_as_given(tmp_path):
    path = write_config(tmp_path, "logging: 3\n", name="custom.yml")
    with pytest.raises(ConfigError, match=r"^custom\.yml:1: logging must be a string, not a number$"):
        load_config(path, tmp_path)
    elsewhere = tmp_path.parent / f"{tmp_path.name}-other.yml"
    elsewhere.write_text("logging: 3\n")
    with pytest.raises(ConfigError, match="^" + re.escape(f"{elsewhere}:1: ")):
        load_config(elsewhere, tmp_path)


# --- read as HEAD holds it, never through a symlink ---------------------------------------------------------


def committed_repo(root: Path, text: str | None) -> Path:
    root.mkdir()
    git(root, "init", "-q")
    (root / "README").write_text("x\n")
    if text is not None:
        write_config(root, text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    return root


def test_an_untracked_config_plays_no_part_when_reading_head(tmp_path):
    repo = committed_repo(tmp_path / "repo", None)
    write_config(repo, "branch_prefix: hijack/\n")  # untracked: not what the fix commit is made on
    assert load_config(None, repo, rev="HEAD") == Config()
    assert load_config(None, repo).branch_prefix == "hijack/"  # the view of the disk (a dry run outside a top level)


def test_an_edited_config_is_read_as_committed(tmp_path):
    repo = committed_repo(tmp_path / "repo", "logging: path\n")
    write_config(repo, "logging: console\nbranch_prefix: hijack/\n")
    config = load_config(None, repo, rev="HEAD")
    assert (config.logging, config.branch_prefix) == ("path", "fixbot/")


def test_an_explicit_config_inside_the_repo_is_read_from_head_too(tmp_path):
    repo = committed_repo(tmp_path / "repo", None)
    (repo / "ci").mkdir()
    path = write_config(repo / "ci", "logging: path\n", name="fixbot.yml")
    with pytest.raises(ConfigError, match=r"^ci/fixbot\.yml: not a file of commit [0-9a-f]{12}; "):
        load_config(path, repo, rev="HEAD")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "config")
    assert load_config(path, repo, rev="HEAD").logging == "path"


@pytest.mark.parametrize("rev", [None, "HEAD"], ids=["disk", "head"])
def test_a_symlinked_config_is_refused_and_its_target_never_read(tmp_path, rev):
    secret = tmp_path / "hosts.yml"
    secret.write_text("github.com:\n  oauth_token: gho_0123456789abcdef0123456789abcdef0123\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / ".fixbot.yml").symlink_to(secret)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "link")
    with pytest.raises(ConfigError) as caught:
        load_config(None, repo, rev=rev)
    assert str(caught.value).startswith(".fixbot.yml: is a symlink")
    assert "github.com" not in str(caught.value) and "gho_" not in str(caught.value)


def test_a_symlink_given_with_config_inside_the_repo_is_refused(tmp_path):
    (tmp_path / "elsewhere.yml").write_text("logging: path\n")
    repo = committed_repo(tmp_path / "repo", None)
    (repo / "ci.yml").symlink_to(tmp_path / "elsewhere.yml")
    with pytest.raises(ConfigError, match=r"^ci\.yml: is a symlink"):
        load_config(repo / "ci.yml", repo)


def test_apply_ignores_an_untracked_config(tmp_path):
    """End to end: an untracked .fixbot.yml changed the branch prefix before; HEAD's settings decide now."""
    import shutil
    import subprocess
    import sys

    root = ROOT
    repo = tmp_path / "repo"
    shutil.copytree(root / "examples" / "ledgersg", repo)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "initial")
    write_config(repo, "branch_prefix: hijack/\n")
    done = subprocess.run(
        [sys.executable, "-m", "fixbot.cli", "apply", "--log", str(repo / "logs/boot-failure.log"), "--repo",
         str(repo), "--format", "json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["branch"].startswith("fixbot/django-logging-handler-")


def test_a_config_under_a_symlinked_directory_of_the_repo_is_refused_unread(tmp_path):
    """`--config REPO/cfg/x.yml` with a committed `cfg -> ~/.config/gh` is a repository path: never read from disk."""
    home = tmp_path / "home" / ".config" / "gh"
    home.mkdir(parents=True)
    (home / "other.yml").write_text("branch_prefix: gho_0123456789abcdef0123456789abcdef0123/\n")
    repo = committed_repo(tmp_path / "repo", None)
    (repo / "ghcfg").symlink_to(home)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "link")
    for rev in (None, "HEAD"):
        with pytest.raises(ConfigError) as caught:
            load_config(repo / "ghcfg" / "other.yml", repo, rev=rev)
        assert str(caught.value).startswith("ghcfg/other.yml: ") and "gho_" not in str(caught.value)


def test_a_config_outside_the_repo_must_be_a_regular_file(tmp_path):
    import os

    repo = committed_repo(tmp_path / "repo", None)
    fifo = tmp_path / "fifo.yml"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match=r"fifo\.yml: not a regular file"):
        load_config(fifo, repo)  # a FIFO with no writer: refused at once, never waited on
    with pytest.raises(ConfigError, match=r"kernel file"):
        load_config(Path("/proc/self/environ"), repo)
