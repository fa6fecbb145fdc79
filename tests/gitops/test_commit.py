"""fixbot's branch and commit on real git repositories: exactly the change, and the user's checkout left alone."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from fixbot.files import unified_diff
from fixbot.gitops import Committed, GitError, check_based_on, commit_fix, push, remote_branch_sha, undo
from fixbot.gitops.read import CommitReader, current_branch
from tests.support.repos import committed_files, git_out as git, snapshot

SETTINGS = b"LOGGING = {\n    'handlers': {'file': {'class': 'logging.FileHandler', 'filename': '/app/logs/api.log'}},\n}\n"
FIXED = b"LOGGING = {\n    'handlers': {'console': {'class': 'logging.StreamHandler'}},\n}\n"
START = b"#!/bin/sh\nexec gunicorn --error-logfile /tmp/backend_logs/error.log app.wsgi\n"
START_FIXED = b"#!/bin/sh\nexec gunicorn --error-logfile - app.wsgi\n"
BRANCH = "fixbot/django-logging-handler-1a2b3c4d"



def write(path: Path, content: bytes, mode: int | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    if mode is not None:
        path.chmod(mode)


@pytest.fixture
def repo(tmp_path) -> Path:
    """A small Django-ish project with two commits on `main` and a second branch."""
    root = tmp_path / "app"
    root.mkdir()
    git(root, "init", "-q")
    write(root / "config/settings/base.py", SETTINGS)
    write(root / "scripts/start.sh", START, 0o755)
    write(root / "windows.txt", b"one\r\ntwo\r\n")
    write(root / "README.md", b"app\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    git(root, "branch", "release")
    write(root / "README.md", b"app\nmore\n")
    git(root, "commit", "-q", "-am", "second")
    return root


def test_branch_holds_exactly_the_change_on_top_of_head(repo):
    before = snapshot(repo)
    head = before["head"].strip()

    result = commit_fix(repo, branch=BRANCH, changes={"config/settings/base.py": FIXED}, message="fix(logging): x")

    assert result == Committed(branch=BRANCH, sha=result.sha, base_sha=head, created=True)
    assert git(repo, "rev-parse", f"refs/heads/{BRANCH}").strip() == result.sha
    assert git(repo, "rev-list", "--parents", "-n1", result.sha).split() == [result.sha, head]
    assert git(repo, "diff", "--name-status", head, result.sha) == "M\tconfig/settings/base.py\n"
    expected = committed_files(repo, head)
    expected["config/settings/base.py"] = ("100644", FIXED)
    assert committed_files(repo, result.sha) == expected

    after = snapshot(repo)
    new_ref = f"refs/heads/{BRANCH} {result.sha}\n"
    assert new_ref in after["refs"]
    after["refs"] = after["refs"].replace(new_ref, "")
    assert after == before


def test_commit_has_fixbot_as_author_and_the_message_verbatim(repo):
    message = "fix(logging): log to the console\n\nEvidence:\n--force $(rm -rf /) `x`\n"
    result = commit_fix(repo, branch=BRANCH, changes={"config/settings/base.py": FIXED}, message=message)

    assert git(repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>", result.sha).strip() == (
        "fixbot <fixbot@users.noreply.github.com>|fixbot <fixbot@users.noreply.github.com>"
    )
    assert git(repo, "cat-file", "commit", result.sha).split("\n\n", 1)[1] == message


def test_configured_author_is_used(repo):
    result = commit_fix(
        repo, branch=BRANCH, changes={"README.md": b"x\n"}, message="m", author=("Deploy Bot", "bot@example.org")
    )
    assert git(repo, "log", "-1", "--format=%an <%ae>", result.sha).strip() == "Deploy Bot <bot@example.org>"


def test_dirty_work_tree_and_staged_changes_are_not_included(repo):
    write(repo / "README.md", b"uncommitted edit\n")
    write(repo / "scratch.txt", b"untracked\n")
    write(repo / "windows.txt", b"staged\n")
    git(repo, "add", "windows.txt")
    write(repo / "config/settings/base.py", b"# the user's own unsaved work\n")
    before = snapshot(repo)

    result = commit_fix(repo, branch=BRANCH, changes={"config/settings/base.py": FIXED}, message="m")

    files = committed_files(repo, result.sha)
    assert files["README.md"][1] == b"app\nmore\n"
    assert files["windows.txt"][1] == b"one\r\ntwo\r\n"
    assert "scratch.txt" not in files
    assert files["config/settings/base.py"][1] == FIXED
    after = snapshot(repo)
    after["refs"] = after["refs"].replace(f"refs/heads/{BRANCH} {result.sha}\n", "")
    assert after == before
    assert (repo / "config/settings/base.py").read_bytes() == b"# the user's own unsaved work\n"


def test_executable_script_stays_executable(repo):
    result = commit_fix(repo, branch=BRANCH, changes={"scripts/start.sh": START_FIXED}, message="m")
    assert committed_files(repo, result.sha)["scripts/start.sh"] == ("100755", START_FIXED)


def test_crlf_content_is_committed_byte_exact_even_with_autocrlf(repo):
    git(repo, "config", "core.autocrlf", "true")
    (repo / ".gitattributes").write_bytes(b"* text=auto\n")  # uncommitted, and must not filter our blob
    content = b"one\r\nthree\r\nno newline at end"
    result = commit_fix(repo, branch=BRANCH, changes={"windows.txt": content}, message="m")
    assert committed_files(repo, result.sha)["windows.txt"] == ("100644", content)


def test_new_file_in_new_directory_and_several_files(repo):
    changes = {"deploy/gunicorn.conf.py": b"accesslog = '-'\n", "scripts/start.sh": START_FIXED, "README.md": b"x"}
    result = commit_fix(repo, branch=BRANCH, changes=changes, message="m")
    files = committed_files(repo, result.sha)
    assert files["deploy/gunicorn.conf.py"] == ("100644", b"accesslog = '-'\n")
    assert files["scripts/start.sh"] == ("100755", START_FIXED)
    assert files["README.md"] == ("100644", b"x")
    assert len(files) == 5


def test_second_identical_run_returns_the_existing_branch(repo):
    first = commit_fix(repo, branch=BRANCH, changes={"config/settings/base.py": FIXED}, message="m")
    before = snapshot(repo), objects(repo)
    second = commit_fix(repo, branch=BRANCH, changes={"config/settings/base.py": FIXED}, message="other words")
    assert second == Committed(branch=BRANCH, sha=first.sha, base_sha=first.base_sha, created=False)
    assert (snapshot(repo), objects(repo)) == before


def test_existing_branch_with_more_than_this_change(repo):
    commit_fix(repo, branch=BRANCH, changes={"config/settings/base.py": FIXED, "README.md": b"x\n"}, message="m")
    assert_refused(repo, "which is not this fix on top of HEAD")


def test_existing_branch_with_the_same_content_but_another_mode(repo):
    git(repo, "checkout", "-q", "-b", BRANCH)
    write(repo / "scripts/start.sh", START_FIXED, 0o644)
    git(repo, "commit", "-q", "-am", "same bytes, not executable")
    git(repo, "checkout", "-q", "main")
    assert_refused(repo, "which is not this fix", changes={"scripts/start.sh": START_FIXED})


def test_works_from_a_linked_worktree(repo, tmp_path):
    other = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", str(other), "release")
    result = commit_fix(other, branch=BRANCH, changes={"README.md": b"from worktree\n"}, message="m")
    assert result.base_sha == git(repo, "rev-parse", "release").strip()
    assert committed_files(repo, BRANCH)["README.md"][1] == b"from worktree\n"


# --- refusals: one line, GitError, exit 2, repository untouched ------------------------------------------------


def objects(root: Path) -> list[str]:
    git_dir = Path(git(root, "rev-parse", "--git-common-dir").strip())
    git_dir = git_dir if git_dir.is_absolute() else root / git_dir
    return sorted(str(p.relative_to(git_dir)) for p in (git_dir / "objects").rglob("*"))


def assert_refused(root: Path, match: str, **kwargs) -> None:
    """The call fails with one line, exit 2, and leaves everything as it was, down to the object store."""
    before = snapshot(root), objects(root)
    args = {"branch": BRANCH, "changes": {"config/settings/base.py": FIXED}, "message": "m", **kwargs}
    with pytest.raises(GitError, match=match) as info:
        commit_fix(root, **args)
    assert "\n" not in str(info.value)
    assert info.value.exit_code == 2
    assert (snapshot(root), objects(root)) == before


def test_not_a_git_repository(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(GitError, match="not a git repository"):
        commit_fix(plain, branch=BRANCH, changes={"a": b"x"}, message="m")
    assert list(plain.iterdir()) == []


def test_missing_directory(tmp_path):
    with pytest.raises(GitError, match="no such directory"):
        commit_fix(tmp_path / "nope", branch=BRANCH, changes={"a": b"x"}, message="m")


def test_subdirectory_of_a_repository(repo):
    before = snapshot(repo)
    with pytest.raises(GitError, match=r"inside the git repository at .*; pass its top level"):
        commit_fix(repo / "config", branch=BRANCH, changes={"settings/base.py": FIXED}, message="m")
    assert snapshot(repo) == before


def test_bare_repository(tmp_path, repo):
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    refs = git(bare, "for-each-ref")
    with pytest.raises(GitError, match="bare repository"):
        commit_fix(bare, branch=BRANCH, changes={"README.md": b"x"}, message="m")
    assert git(bare, "for-each-ref") == refs


def test_no_commits_yet(tmp_path):
    root = tmp_path / "empty"
    root.mkdir()
    git(root, "init", "-q")
    write(root / "config/settings/base.py", SETTINGS)
    assert_refused(root, "no commits yet")


def test_detached_head(repo):
    git(repo, "checkout", "-q", "--detach", "HEAD~1")
    assert_refused(repo, "HEAD is detached")


def test_existing_branch_elsewhere(repo):
    git(repo, "branch", BRANCH, "release")
    assert_refused(repo, f"branch {BRANCH} already exists at .*, which is not this fix")


def test_existing_branch_with_the_fix_on_an_older_base(repo):
    first = commit_fix(repo, branch=BRANCH, changes={"config/settings/base.py": FIXED}, message="m")
    write(repo / "README.md", b"moved on\n")
    git(repo, "commit", "-q", "-am", "third")
    assert_refused(repo, f"already exists at {first.sha[:12]}")


def test_own_fix_on_an_older_base_is_rebuilt_on_the_new_head(repo):
    # HEAD moved on since fixbot's last run: its own commit of the same fix (same fingerprint) is rebuilt.
    message = "fix(logging): x\n\nFixbot-Fingerprint: abc123\n"
    first = commit_fix(repo, branch=BRANCH, changes={"config/settings/base.py": FIXED}, message=message)
    write(repo / "README.md", b"moved on\n")
    git(repo, "commit", "-q", "-am", "unrelated work")
    head = git(repo, "rev-parse", "HEAD").strip()
    second = commit_fix(repo, branch=BRANCH, changes={"config/settings/base.py": FIXED}, message=message)
    assert second.created and second.sha != first.sha and second.base_sha == head
    assert git(repo, "rev-parse", f"{BRANCH}^").strip() == head


def test_someone_elses_commit_on_the_branch_is_never_replaced(repo):
    message = "fix(logging): x\n\nFixbot-Fingerprint: abc123\n"
    commit_fix(repo, branch=BRANCH, changes={"config/settings/base.py": FIXED}, message=message,
               author=("A Human", "human@example.com"))
    write(repo / "README.md", b"moved on\n")
    git(repo, "commit", "-q", "-am", "unrelated work")
    assert_refused(repo, "which is not this fix on top of HEAD", message=message)


def test_current_branch_name_is_refused(repo):
    assert_refused(repo, "branch main already exists", branch="main")


@pytest.mark.parametrize(
    "path, match",
    [
        pytest.param("../outside.py", "stay inside the repository", id="dotdot"),
        pytest.param("config/../../x", "stay inside the repository", id="dotdot-inside"),
        pytest.param("/etc/passwd", "absolute paths", id="absolute"),
        pytest.param("config//settings/base.py", "normalised", id="double-slash"),
        pytest.param("./README.md", "normalised", id="dot"),
        pytest.param(".git/hooks/pre-commit", "never writes inside .git", id="git-dir"),
        pytest.param("config\\settings.py", "backslash", id="backslash"),
        pytest.param("README.md/x", "is a file at HEAD", id="under-a-file"),
        pytest.param("config", "is a directory", id="directory"),
        pytest.param("", "non-empty", id="empty"),
    ],
)
def test_path_outside_or_unusable(repo, path, match):
    assert_refused(repo, match, changes={path: b"x"})


def test_path_through_a_committed_symlink(repo, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (repo / "logs").symlink_to(outside)
    (repo / "settings.py").symlink_to("config/settings/base.py")
    git(repo, "add", "logs", "settings.py")
    git(repo, "commit", "-q", "-m", "links")
    assert_refused(repo, "goes through the symlink logs", changes={"logs/api.log": b"x"})
    assert_refused(repo, "is a symlink at HEAD", changes={"settings.py": FIXED})
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize(
    "branch",
    [
        "--upload-pack=touch /tmp/pwned",
        "-b",
        "fixbot/a b",
        "fixbot/$(id)",
        "fixbot/x..y",
        "fixbot/x.lock",
        "fixbot/.hidden",
        "fixbot/",
        "fixbot//x",
        "fixbot/x@{1}",
        "fixbot/ünïcode",
        "HEAD",
        "",
    ],
)
def test_branch_name_from_a_log_cannot_become_an_argument(repo, branch):
    assert_refused(repo, "branch name", branch=branch)


def test_change_that_is_already_at_head(repo):
    assert_refused(repo, "already in HEAD", changes={"config/settings/base.py": SETTINGS})


def test_content_must_be_bytes(repo):
    assert_refused(repo, "must be bytes", changes={"config/settings/base.py": FIXED.decode()})


def test_bad_author(repo):
    assert_refused(repo, "author name", author=("evil\nSigned-off-by: x", "a@b"))
    assert_refused(repo, "author email", author=("ok", "<a@b>"))


def test_branch_created_concurrently_is_detected(repo, monkeypatch):
    """Another process creates the branch between our check and update-ref: the zero old value catches it."""
    import fixbot.gitops.commit as gitops

    real = gitops._rev_parse
    calls = []

    def racing(repo_obj, ref):
        calls.append(ref)
        if ref == f"refs/heads/{BRANCH}" and calls.count(ref) == 1:  # commit_fix's own check
            git(repo, "branch", BRANCH, "release")  # the other process wins the race
            return None
        return real(repo_obj, ref)

    monkeypatch.setattr(gitops, "_rev_parse", racing)
    with pytest.raises(GitError, match="already exists"):
        commit_fix(repo, branch=BRANCH, changes={"config/settings/base.py": FIXED}, message="m")
    assert git(repo, "rev-parse", BRANCH) == git(repo, "rev-parse", "release")


# --- the dry-run diff -----------------------------------------------------------------------------------------


def test_the_diff_fixbot_shows_applies_with_git_apply(repo, tmp_path):
    # The same bytes commit_fix would commit, shown as fixbot --dry-run shows them: git must accept the diff.
    changes = {"config/settings/base.py": FIXED, "windows.txt": b"one\r\n2\r\nno eol"}
    (repo / "windows.txt").write_bytes(b"one\r\ntwo\r\nno eol")
    git(repo, "add", "windows.txt")
    git(repo, "commit", "-qm", "a CRLF file without a final newline")
    with CommitReader(repo) as head:
        diff = "".join(unified_diff(path, head.read(path).decode(), new.decode()) for path, new in changes.items())
    assert "\\ No newline at end of file\n" in diff
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    (tmp_path / "fix.patch").write_text(diff, newline="")
    git(clone, "apply", "--whitespace=nowarn", str(tmp_path / "fix.patch"))
    for path, content in changes.items():
        assert (clone / path).read_bytes() == content, path


def test_the_diff_of_no_change_is_empty():
    assert unified_diff("README.md", "app\nmore\n", "app\nmore\n") == ""


# --- push with a lease ----------------------------------------------------------------------------------------


@pytest.fixture
def remote(tmp_path, repo) -> Path:
    bare = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    git(repo, "remote", "add", "origin", str(bare))
    git(repo, "push", "-q", "origin", "main")
    return bare


def test_push_creates_the_remote_branch(repo, remote):
    result = commit_fix(repo, branch=BRANCH, changes={"config/settings/base.py": FIXED}, message="m")
    assert remote_branch_sha(repo, BRANCH) is None

    pushed = push(repo, BRANCH, expect=None)

    assert pushed.updated and pushed.sha == result.sha
    assert git(remote, "rev-parse", f"refs/heads/{BRANCH}").strip() == result.sha
    assert remote_branch_sha(repo, BRANCH) == result.sha


def test_a_fix_is_based_on_origins_branch_even_after_it_moved_on(repo, remote, tmp_path):
    result = commit_fix(repo, branch=BRANCH, changes={"config/settings/base.py": FIXED}, message="m")
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(remote), str(other))
    write(other / "LATER.md", b"merged after the deploy\n")
    git(other, "add", "-A")
    git(other, "commit", "-qm", "later")
    git(other, "push", "-q", "origin", "main")
    before = snapshot(repo)

    check_based_on(repo, result.sha, "main")  # the PR's diff against main is still the fix alone

    assert snapshot(repo) == before, "looking at origin's main changed no ref of the user's"


@pytest.mark.parametrize("base, match", [
    ("release", "is not on origin's release: a pull request into release would carry every commit"),
    ("staging", "origin has no branch staging"),
    ("-release", "not a valid git branch name"),
    ("main^", "not a valid git branch name"),
    ("a..b", "not a valid git branch name"),
    ("x\n-y", "not a valid git branch name"),
])
def test_a_base_that_does_not_contain_head_is_refused(repo, remote, base, match):
    git(repo, "push", "-q", "origin", "release")  # release lacks main's second commit
    result = commit_fix(repo, branch=BRANCH, changes={"config/settings/base.py": FIXED}, message="m")
    with pytest.raises(GitError, match=match):
        check_based_on(repo, result.sha, base)


@pytest.mark.parametrize("base", ["renovate/@types-node", "feature/café", "fix+1"])
def test_a_deployed_branch_with_any_valid_git_name_can_be_the_base(repo, remote, base):
    git(repo, "branch", base)
    git(repo, "push", "-q", "origin", base)
    git(repo, "checkout", "-q", base)
    result = commit_fix(repo, branch=BRANCH, changes={"config/settings/base.py": FIXED}, message="m")
    assert current_branch(repo) == base
    check_based_on(repo, result.sha, base)


def test_current_branch_is_heads_branch_or_none_when_detached(repo):
    assert current_branch(repo) == "main"
    git(repo, "tag", "main")  # `symbolic-ref --short` would say heads/main now
    assert current_branch(repo) == "main"
    git(repo, "checkout", "-q", "--detach", "HEAD")
    assert current_branch(repo) is None


def test_push_again_is_a_no_op(repo, remote):
    result = commit_fix(repo, branch=BRANCH, changes={"config/settings/base.py": FIXED}, message="m")
    push(repo, BRANCH, expect=None)
    again = push(repo, BRANCH, expect=None)  # a rerun that died after the push sees its own commit there
    assert not again.updated and again.sha == result.sha


def test_push_never_overwrites_someone_elses_commit(repo, remote, tmp_path):
    ours = commit_fix(repo, branch=BRANCH, changes={"config/settings/base.py": FIXED}, message="m")
    push(repo, BRANCH, expect=None)

    # A human adds a commit to fixbot's branch on the remote.
    human = tmp_path / "human"
    git(tmp_path, "clone", "-q", "-b", BRANCH, str(remote), str(human))
    write(human / "config/settings/base.py", FIXED + b"# reviewed\n")
    git(human, "commit", "-q", "-am", "reviewer tweak")
    git(human, "push", "-q", "origin", BRANCH)
    theirs = git(remote, "rev-parse", BRANCH).strip()

    # fixbot reruns on a new base and would replace the branch, expecting its own earlier commit there.
    write(repo / "README.md", b"moved on\n")
    git(repo, "commit", "-q", "-am", "third")
    git(repo, "branch", "-q", "-D", BRANCH)
    commit_fix(repo, branch=BRANCH, changes={"config/settings/base.py": FIXED}, message="m")
    with pytest.raises(GitError, match="no longer at .*someone else pushed to it"):
        push(repo, BRANCH, expect=ours.sha)
    assert git(remote, "rev-parse", BRANCH).strip() == theirs

    # With no expectation at all (a first run that did not know the branch), it is refused too.
    with pytest.raises(GitError, match="remote branch does not exist"):
        push(repo, BRANCH, expect=None)
    assert git(remote, "rev-parse", BRANCH).strip() == theirs


def test_push_with_the_right_lease_replaces_fixbots_own_commit(repo, remote):
    first = commit_fix(repo, branch=BRANCH, changes={"config/settings/base.py": FIXED}, message="m")
    push(repo, BRANCH, expect=None)
    write(repo / "README.md", b"moved on\n")
    git(repo, "commit", "-q", "-am", "third")
    git(repo, "branch", "-q", "-D", BRANCH)
    second = commit_fix(repo, branch=BRANCH, changes={"config/settings/base.py": FIXED}, message="m")

    pushed = push(repo, BRANCH, expect=first.sha)

    assert pushed.updated
    assert git(remote, "rev-parse", BRANCH).strip() == second.sha


def test_push_refusals(repo, remote):
    with pytest.raises(GitError, match="no local branch"):
        push(repo, BRANCH, expect=None)
    with pytest.raises(GitError, match="no remote named upstream"):
        push(repo, BRANCH, remote="upstream", expect=None)
    with pytest.raises(GitError, match="not a valid remote name"):
        push(repo, BRANCH, remote="--receive-pack=evil", expect=None)
    with pytest.raises(GitError, match="full 40-character sha"):
        push(repo, BRANCH, expect="HEAD")
    with pytest.raises(GitError, match="branch name"):
        push(repo, "--mirror", expect=None)


def test_push_to_an_unreachable_remote_is_one_line(repo, tmp_path):
    git(repo, "remote", "add", "origin", str(tmp_path / "gone.git"))
    commit_fix(repo, branch=BRANCH, changes={"config/settings/base.py": FIXED}, message="m")
    with pytest.raises(GitError, match="could not push") as info:
        push(repo, BRANCH, expect=None)
    assert "\n" not in str(info.value)


def test_users_commit_signing_is_not_applied_to_fixbots_commit(repo):
    git(repo, "config", "commit.gpgSign", "true")
    git(repo, "config", "gpg.program", "false")  # signing would fail, so a passing commit proves none was tried
    result = commit_fix(repo, branch=BRANCH, changes={"README.md": b"x\n"}, message="m")
    assert "gpgsig" not in git(repo, "cat-file", "commit", result.sha)


# --- git itself missing ---------------------------------------------------------------------------------------


def test_git_missing_is_one_line(repo, monkeypatch):
    import git as gitpython

    from fixbot.gitops import read as gitread

    reader = gitread.CommitReader(repo)  # opened while git was there; its blobs are read lazily
    monkeypatch.setattr(gitpython.Git, "GIT_PYTHON_GIT_EXECUTABLE", str(repo / "no-such-git"))
    for call in (lambda: gitread.tree_files(repo),
                 lambda: commit_fix(repo, branch=BRANCH, changes={"config/settings/base.py": FIXED}, message="m")):
        with pytest.raises(GitError, match=r"^git is not installed or not on PATH"):
            call()
    with pytest.raises(GitError, match=r"^git is not installed or not on PATH"):
        reader.read("config/settings/base.py")
    reader.close()


def test_tree_files_lists_modes_and_sizes_of_head_only(repo):
    from fixbot.gitops.read import CommitReader, tree_files

    write(repo / "config/settings/base.py", b"changed on disk\n")
    write(repo / "untracked.py", b"")
    files = tree_files(repo)
    assert set(files) == {"config/settings/base.py", "scripts/start.sh", "windows.txt", "README.md"}
    assert files["scripts/start.sh"].mode == 0o100755 and files["README.md"].mode == 0o100644
    with CommitReader(repo) as head:
        assert head.read("config/settings/base.py") == SETTINGS and head.read("untracked.py") is None
    with CommitReader(repo, "release") as release:
        assert release.read("README.md") == b"app\n"


def test_own_fix_with_another_change_is_remade_on_head_and_undo_puts_it_back(repo):
    # Another codemod chosen for the same failure (same fingerprint): fixbot's own branch is remade on HEAD,
    # with its old commit as the lease, as Renovate rebases its branch when the content it wants changed.
    message = "fix(logging): x\n\nFixbot-Fingerprint: abc123\n"
    first = commit_fix(repo, branch=BRANCH, changes={"config/settings/base.py": FIXED}, message=message)
    other = FIXED.replace(b"logging", b"logging  # another codemod's fix") + b"\n# by another codemod\n"
    second = commit_fix(repo, branch=BRANCH, changes={"config/settings/base.py": other}, message=message)
    assert second.created and second.replaced == first.sha and second.base_sha == first.base_sha
    assert git(repo, "rev-parse", f"{BRANCH}^").strip() == first.base_sha
    assert committed_files(repo, BRANCH)["config/settings/base.py"][1] == other
    undo(repo, BRANCH, second.sha, second.replaced)  # its verification failed: the fix already proposed comes back
    assert git(repo, "rev-parse", BRANCH).strip() == first.sha


def test_the_verify_tree_is_readable_by_a_deploy_user_and_writable_by_none(repo):
    from fixbot.verify import VerifyFailed, verify_command

    result = commit_fix(repo, branch=BRANCH, changes={"scripts/start.sh": START_FIXED}, message="m")
    old = os.umask(0o077)  # a careful user's umask must not lock the deploy user out
    try:
        said = verify_command(repo, result.sha, "stat -c '%a %n' .. . scripts scripts/start.sh config/settings/base.py")
    finally:
        os.umask(old)
    modes = dict(reversed(line.split(" ", 1)) for line in said.splitlines())
    assert modes == {"..": "755", ".": "755", "scripts": "755", "scripts/start.sh": "755",
                     "config/settings/base.py": "644"}
    if os.geteuid() == 0 and shutil.which("setpriv"):  # really drop to another user, as `sudo -u app` would
        drop = "setpriv --reuid=nobody --regid=nogroup --clear-groups"
        assert "gunicorn" in verify_command(repo, result.sha, f"{drop} cat scripts/start.sh")
        with pytest.raises(VerifyFailed, match="Permission denied"):
            verify_command(repo, result.sha, f"{drop} touch new-file")
