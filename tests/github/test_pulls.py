"""Publishing a fix over real HTTP (PyGithub to the emulator on 127.0.0.1) and real pushes to a bare git remote."""

from __future__ import annotations

import os
import shutil
import time
import zipfile
from pathlib import Path

import pytest

from fixbot import report
from fixbot.model import Change, Result
from fixbot.config import Config, PullRequest
from fixbot.github import pulls, runs
from fixbot.github.client import ForgeError, Limits
from fixbot.github.codeowners import parse_codeowners, read_codeowners
from fixbot.gitops import commit_fix
from fixbot.gitops.read import current_branch
from fixbot.repo import RepoView
from tests.support.github_emulator import make_zip
from tests.support.repos import git
from tests.support import ROOT

SETTINGS = "config/settings.py"
BROKEN = b"LOGGING = {'handlers': {'file': {'class': 'logging.FileHandler', 'filename': '/app/logs/api.log'}}}\n"
FIXED = b"LOGGING = {'handlers': {'file': {'class': 'logging.StreamHandler'}}}\n"
FINGERPRINT = "1a2b3c4d5e6f7a8b"
BRANCH = f"fixbot/django-logging-handler-{FINGERPRINT[:8]}"
RUN = "http://127.0.0.1/octo/app/actions/runs/{}"
FAST = Limits(max_wait=3.0, backoff=0.01, request_gap=0, write_gap=0, timeout=10)



@pytest.fixture
def checkout(tmp_path, origin) -> Path:
    root = tmp_path / "app"
    root.mkdir()
    git(root, "init", "-q")
    (root / "config").mkdir()
    (root / SETTINGS).write_bytes(BROKEN)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "initial")
    git(root, "remote", "add", "origin", str(origin))
    git(root, "push", "-q", "origin", "main")
    return root


def fix(root: Path, monkeypatch=None, *, at: int | None = None) -> Result:
    """fixbot's commit on its branch, as `apply` makes it; `at` makes a later run's (different) commit."""
    if at is not None:
        git(root, "branch", "-D", BRANCH)
        monkeypatch.setenv("GIT_COMMITTER_DATE", f"{at} +0000")
        monkeypatch.setenv("GIT_AUTHOR_DATE", f"{at} +0000")
    done = commit_fix(root, branch=BRANCH, changes={SETTINGS: FIXED}, message="fix(logging): log to the console\n")
    change = Change(SETTINGS, "logging-console", "the handler wrote to a missing directory", (), "")
    return Result("fixed", changes=(change,), branch=BRANCH, base=current_branch(root), commit=done.sha,
                  created=done.created, fingerprint=FINGERPRINT)


def publish(root: Path, result: Result, config: Config = Config(), **kw) -> pulls.Published:
    kw.setdefault("body", "The deploy failed.\n")
    kw.setdefault("title", "fix(logging): log to the console")
    kw.setdefault("limits", FAST)
    return pulls.publish(root, result, config, **kw)


def remote_sha(origin: Path, branch: str = BRANCH) -> str:
    return git(origin, "rev-parse", f"refs/heads/{branch}")


# --- open, update, respect ------------------------------------------------------------------------------------


def test_first_run_pushes_the_branch_and_opens_one_pr(github, origin, checkout):
    result = fix(checkout)
    published = publish(checkout, result, run_url=RUN.format(1))

    assert published.action == "opened" and published.number == 1 and published.warnings == ()
    assert published.url == f"{github.api_url}/octo/app/pull/1"
    assert remote_sha(origin) == result.commit
    [pr] = github.pulls.values()
    assert (pr["head"]["ref"], pr["base"]["ref"], pr["state"], pr["draft"]) == (BRANCH, "main", "open", False)
    assert f"<!-- fixbot:fingerprint={FINGERPRINT} -->" in pr["body"]
    assert pr["labels"] == ["fixbot"]
    assert all(r.headers["authorization"] == f"token {github.token}" for r in github.requests)


def test_rerun_updates_the_same_pr_with_a_comment_and_a_fresh_body(github, origin, checkout, monkeypatch):
    publish(checkout, fix(checkout), run_url=RUN.format(1))
    again = fix(checkout, monkeypatch, at=2_000_000_000)
    published = publish(checkout, again, run_url=RUN.format(2), body="The deploy failed again.\n")

    assert published.action == "updated" and published.number == 1
    assert len(github.pulls) == 1
    assert remote_sha(origin) == again.commit
    assert github.pulls[1]["body"] == f"<!-- fixbot:fingerprint={FINGERPRINT} -->\n\nThe deploy failed again.\n"
    [comment] = github.comments[1]
    assert "failed the same way again" in comment["body"] and RUN.format(2) in comment["body"]


def test_the_same_run_published_twice_changes_nothing_the_second_time(github, checkout):
    result = fix(checkout)
    publish(checkout, result, run_url=RUN.format(1))
    publish(checkout, result, run_url=RUN.format(2))
    before = len(github.calls("POST", r"^/repos/")) + len(github.calls("PATCH"))
    published = publish(checkout, result, run_url=RUN.format(2))

    assert published.action == "exists"
    assert len(github.calls("POST", r"^/repos/")) + len(github.calls("PATCH")) == before
    assert len(github.comments[1]) == 1


def test_a_pr_closed_without_merging_is_respected(github, origin, checkout, monkeypatch):
    first = fix(checkout)
    publish(checkout, first)
    github.close(1)
    writes = len(github.calls("POST", r"^/repos/"))
    published = publish(checkout, fix(checkout, monkeypatch, at=2_000_000_000), run_url=RUN.format(2))

    assert (published.action, published.number) == ("closed-unmerged", 1)
    assert remote_sha(origin) == first.commit  # nothing pushed
    assert len(github.pulls) == 1 and github.pulls[1]["state"] == "closed"
    assert len(github.calls("POST", r"^/repos/")) == writes and not github.calls("PATCH")


def test_force_reopens_a_pr_closed_without_merging(github, origin, checkout, monkeypatch):
    publish(checkout, fix(checkout))
    github.close(1)
    again = fix(checkout, monkeypatch, at=2_000_000_000)
    published = publish(checkout, again, force=True, run_url=RUN.format(2))

    assert (published.action, published.number) == ("reopened", 1)
    assert github.pulls[1]["state"] == "open" and len(github.pulls) == 1
    assert remote_sha(origin) == again.commit


def test_a_merged_pr_does_not_stop_a_new_one_when_the_failure_comes_back(github, checkout, monkeypatch):
    publish(checkout, fix(checkout))
    github.close(1, merged=True)
    published = publish(checkout, fix(checkout, monkeypatch, at=2_000_000_000))

    assert (published.action, published.number) == ("opened", 2)


def test_a_pr_found_by_its_marker_under_another_branch_gets_a_comment_not_a_twin(github, origin, checkout):
    github.add_pull("fixbot-old/handler", body=f"<!-- fixbot:fingerprint={FINGERPRINT} -->\nold\n")
    published = publish(checkout, fix(checkout), run_url=RUN.format(3))

    assert (published.action, published.number) == ("updated", 1)
    assert len(github.pulls) == 1 and len(github.comments[1]) == 1
    assert "fixbot-old/handler" in published.warnings[0]
    assert git(origin, "branch", "--list") == "* main"  # nothing pushed next to someone's branch


@pytest.mark.parametrize("where", ["end", "second line", "indented first line"])
def test_a_marker_quoted_inside_another_prs_body_is_not_this_fixs(github, origin, checkout, where):
    """Only the first line carries fixbot's marker: log text quoted further down cannot pass for it."""
    marker = f"<!-- fixbot:fingerprint={FINGERPRINT} -->"
    body = {"end": f"A log excerpt:\n{marker}\n", "second line": f"x\n{marker}\n",
            "indented first line": f"    x {marker}\n"}[where]
    github.add_pull("someone/else", body=body)
    published = publish(checkout, fix(checkout))

    assert (published.action, published.number) == ("opened", 2), published
    assert github.pulls[1]["body"] == body and github.comments.get(1, []) == []
    assert github.pulls[2]["body"].split("\n", 1)[0] == marker


# --- only fixbot's own pull requests count: the marker and the branch name are public ---------------------------

MARKER_LINE = f"<!-- fixbot:fingerprint={FINGERPRINT} -->"


def test_a_forks_closed_pr_with_the_marker_does_not_stop_fixbot(github, origin, checkout):
    github.add_pull(BRANCH, body=f"{MARKER_LINE}\nno thanks\n", state="closed", user="mallory",
                    head_repo="mallory/app")
    result = fix(checkout)
    published = publish(checkout, result)

    assert (published.action, published.number) == ("opened", 2)
    assert remote_sha(origin) == result.commit
    assert github.pulls[2]["user"] == github.login and github.pulls[2]["head_repo"] == github.full_name


@pytest.mark.parametrize("head_repo", ["mallory/app", "octo/app-fork", None], ids=["fork", "same owner's fork",
                                                                                    "deleted fork"])
def test_a_forks_open_pr_on_the_same_branch_is_neither_edited_nor_commented_nor_reported(
        github, origin, checkout, head_repo):
    spoof = github.add_pull(BRANCH, body=f"{MARKER_LINE}\nfixbot's fix, honest\n", title="fix(logging)",
                            user="mallory", head_repo=head_repo)
    before = dict(spoof)
    published = publish(checkout, fix(checkout), run_url=RUN.format(4))

    assert (published.action, published.number) == ("opened", 2) and published.url.endswith("/pull/2")
    assert github.pulls[1] == before and github.comments[1] == []
    assert not github.calls("PATCH") and not github.calls("POST", r"/issues/1/")
    assert github.pulls[2]["head_repo"] == github.full_name


@pytest.mark.parametrize("state", ["open", "closed"])
def test_a_marked_pr_in_this_repository_by_another_user_is_not_adopted(github, origin, checkout, state):
    # Open: on another branch, found only by the search for the marker. Closed: on fixbot's very branch.
    head = "fixbot-old/handler" if state == "open" else BRANCH
    github.add_pull(head, body=f"{MARKER_LINE}\nmine now\n", state=state, user="mallory")
    published = publish(checkout, fix(checkout))

    assert (published.action, published.number) == ("opened", 2)
    assert github.pulls[1]["body"] == f"{MARKER_LINE}\nmine now\n" and github.comments[1] == []


@pytest.mark.parametrize("kind, login", [("user", "octocat"), ("installation", "fixbot-app[bot]")])
def test_the_token_is_known_by_graphql_viewer_and_updates_only_its_own_pr(github, origin, checkout, monkeypatch,
                                                                          kind, login):
    github.token_kind, github.login = kind, login
    github.add_pull(BRANCH, body=f"{MARKER_LINE}\nthe Actions bot's\n", user="github-actions[bot]", state="closed")
    publish(checkout, fix(checkout))
    published = publish(checkout, fix(checkout, monkeypatch, at=2_000_000_000), run_url=RUN.format(2))

    assert (published.action, published.number) == ("updated", 2)
    assert github.pulls[2]["user"] == login and not github.calls("GET", r"^/user$")


def test_a_copied_run_tag_from_someone_else_does_not_silence_fixbots_comment(github, origin, checkout, monkeypatch):
    publish(checkout, fix(checkout), run_url=RUN.format(1))
    github._comment(github.pulls[1], {"body": f"<!-- fixbot:run={RUN.format(2)} -->"})["user"] = github._actor("mallory")
    published = publish(checkout, fix(checkout, monkeypatch, at=2_000_000_000), run_url=RUN.format(2))

    assert published.action == "updated"
    assert [c["user"]["login"] for c in github.comments[1]][-1] == github.login


def test_the_marker_is_the_first_line_even_when_the_body_is_cut(github, origin, checkout):
    from fixbot.report import MARKER, PR_BODY_LIMIT

    publish(checkout, fix(checkout), body="x" * (PR_BODY_LIMIT + 10) + f"\n{MARKER.format(FINGERPRINT)}\n")
    [pr] = github.pulls.values()
    assert pr["body"].split("\n", 1)[0] == MARKER.format(FINGERPRINT) and len(pr["body"]) <= PR_BODY_LIMIT
    assert not hasattr(pulls, "BODY_LIMIT")  # one definition, in report


def test_a_human_commit_on_the_branch_is_kept(github, origin, checkout, tmp_path, monkeypatch):
    publish(checkout, fix(checkout))
    human = tmp_path / "human"
    git(tmp_path, "clone", "-q", "-b", BRANCH, str(origin), str(human))
    (human / "NOTES.md").write_text("keep the file handler for audit logs\n")
    git(human, "add", "-A")
    git(human, "commit", "-qm", "reviewer: tweak")
    git(human, "push", "-q", "origin", BRANCH)
    theirs = remote_sha(origin)

    again = fix(checkout, monkeypatch, at=2_000_000_000)
    refs = git(checkout, "for-each-ref")
    published = publish(checkout, again, run_url=RUN.format(2))

    assert published.action == "kept" and published.number == 1
    assert remote_sha(origin) == theirs
    assert git(checkout, "for-each-ref") == refs  # looking at their commits changed no ref of the user's
    assert any("commits by someone else" in w for w in published.warnings)
    [comment] = github.comments[1]
    assert "never overwrites" in comment["body"]


# --- completing what an earlier run left half done ---------------------------------------------------------


def test_a_run_that_died_after_the_push_is_completed_by_the_next_run(github, origin, checkout, monkeypatch):
    github.fail_next("POST", r"/pulls$", 502, times=5)
    with pytest.raises(ForgeError):
        publish(checkout, fix(checkout), limits=Limits(max_wait=0, backoff=0.01, request_gap=0, write_gap=0))
    assert github.pulls == {} and remote_sha(origin)  # the branch is there, the PR is not

    again = fix(checkout, monkeypatch, at=2_000_000_000)
    github._faults.clear()
    published = publish(checkout, again)

    assert published.action == "opened" and len(github.pulls) == 1
    assert remote_sha(origin) == again.commit


def test_a_502_after_the_pr_was_created_does_not_make_a_second_one(github, checkout):
    github.fail_next("POST", r"/pulls$", 502, after_effect=True)
    published = publish(checkout, fix(checkout))

    assert (published.action, published.number) == ("opened", 1)
    assert len(github.pulls) == 1
    assert len(github.calls("POST", r"/pulls$")) == 1  # found by listing again, not created twice
    assert github.pulls[1]["labels"] == ["fixbot"]


def test_losing_the_create_race_to_another_run_uses_its_pr(github, checkout):
    result = fix(checkout)
    # Another run opened the PR between this run's lookup and its create: GitHub answers 422.
    github.fail_next("POST", r"/pulls$", 422, message="Validation Failed", after_effect=True)
    published = publish(checkout, result)

    assert (published.action, published.number) == ("opened", 1) and len(github.pulls) == 1


# --- retries, rate limits, permissions ---------------------------------------------------------------------


def test_429_then_success_honours_retry_after(github, checkout):
    github.fail_next("GET", r"/pulls$", 429, {"Retry-After": "1"})
    github.fail_next("POST", r"/pulls$", 429, {"Retry-After": "1"})
    start = time.monotonic()
    published = publish(checkout, fix(checkout))

    assert published.action == "opened" and len(github.pulls) == 1
    assert 2.0 <= time.monotonic() - start < 3.5
    assert len(github.calls("GET", r"/pulls$")) >= 2


def test_a_retry_after_longer_than_the_budget_fails_at_once(github, checkout):
    github.fail_next("POST", r"/pulls$", 429, {"Retry-After": "3600"})
    start = time.monotonic()
    with pytest.raises(ForgeError) as err:
        publish(checkout, fix(checkout))

    assert time.monotonic() - start < 2
    assert "rate-limited" in str(err.value) and "3600s" in str(err.value) and "\n" not in str(err.value)


def test_a_spent_rate_limit_waits_for_the_reset(github, checkout):
    github.fail_next("GET", r"/pulls$", 403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()))})
    published = publish(checkout, fix(checkout))

    assert published.action == "opened"


def test_a_rate_limit_reset_beyond_the_budget_is_one_line(github, checkout):
    reset = str(int(time.time()) + 3600)
    github.fail_next("GET", r"/pulls$", 403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset})
    with pytest.raises(ForgeError, match=r"could not list pull requests: rate-limited by GitHub") as err:
        publish(checkout, fix(checkout))
    assert "\n" not in str(err.value)


def test_5xx_on_reads_is_retried(github, checkout):
    github.fail_next("GET", r"/repos/octo/app$", 503, times=2)
    assert publish(checkout, fix(checkout)).action == "opened"


def test_read_timeouts_spend_the_same_retry_budget(github, checkout):
    """A GitHub that never answers costs one timeout per try: the tries stop when the budget is spent, not after
    urllib3's ten."""
    github.slow_seconds = 3
    github.garble_next("GET", r"^/repos/octo/app$", "slow", times=20)
    limits = Limits(max_wait=2.5, backoff=0.01, request_gap=0, write_gap=0, timeout=1)
    start = time.monotonic()
    with pytest.raises(ForgeError, match=r"could not read the repository octo/app: cannot reach GitHub") as err:
        publish(checkout, fix(checkout), limits=limits)

    assert time.monotonic() - start < 4.5 and len(github.calls("GET", r"^/repos/octo/app$")) <= 3
    assert "\n" not in str(err.value)


def test_missing_pull_request_permission_fails_at_once_and_names_it(github, checkout):
    github.fail_next("POST", r"/pulls$", 403, times=3)
    with pytest.raises(ForgeError) as err:
        publish(checkout, fix(checkout))

    message = str(err.value)
    assert "`pull-requests: write`" in message and "Resource not accessible by integration" in message
    assert "\n" not in message
    assert len(github.calls("POST", r"/pulls$")) == 1


def test_actions_not_allowed_to_open_prs_names_the_setting_and_deletes_the_pushed_branch(github, origin, checkout):
    """GitHub's 403 when the repository (or organisation) keeps Actions from opening pull requests is a setting,
    not the workflow's permission; nothing is left on origin that no pull request will ever carry."""
    github.actions_may_open_pulls = False
    before = git(origin, "for-each-ref", "refs/heads")
    with pytest.raises(ForgeError) as err:
        publish(checkout, fix(checkout))

    message = str(err.value)
    assert "Allow GitHub Actions to create and approve pull requests" in message, message
    assert "GitHub Actions is not permitted to create or approve pull requests" in message
    assert "is not what is missing" in message and "grant `pull-requests: write`" not in message
    assert f"deleted the branch {BRANCH}" in message and "\n" not in message
    assert len(github.calls("POST", r"/pulls$")) == 1 and github.pulls == {}
    assert git(origin, "for-each-ref", "refs/heads") == before


def test_a_branch_someone_pushed_to_meanwhile_is_not_deleted(github, origin, checkout, tmp_path):
    """The deletion is leased on fixbot's own commit: another's push to the branch since is kept."""
    github.actions_may_open_pulls = False
    result = fix(checkout)
    other = tmp_path / "other"
    real_create = github._create_pull

    def push_first(body, **kw):  # someone pushes to the branch between fixbot's push and its PR
        git(tmp_path, "clone", "-q", str(origin), str(other))
        git(other, "checkout", "-q", BRANCH)
        git(other, "commit", "-q", "--allow-empty", "-m", "a reviewer's commit")
        git(other, "push", "-q", "origin", BRANCH)
        return real_create(body, **kw)

    github._create_pull = push_first
    with pytest.raises(ForgeError) as err:
        publish(checkout, result)

    assert f"the branch {BRANCH} stays on origin" in str(err.value) and "\n" not in str(err.value)
    assert remote_sha(origin) == git(other, "rev-parse", "HEAD")


def test_missing_contents_permission_on_push_names_it(github, origin, checkout):
    git(checkout, "remote", "set-url", "--push", "origin", f"{github.api_url}/octo/app.git")
    with pytest.raises(ForgeError) as err:
        publish(checkout, fix(checkout))

    assert "`contents: write`" in str(err.value) and "\n" not in str(err.value)
    assert github.pulls == {}


@pytest.mark.parametrize("unset, expected", [
    ("GITHUB_TOKEN", "GITHUB_TOKEN is not set"),
    ("GITHUB_REPOSITORY", "GITHUB_REPOSITORY is not set"),
])
def test_missing_environment_is_one_line(github, checkout, monkeypatch, unset, expected):
    monkeypatch.delenv(unset)
    with pytest.raises(ForgeError, match=expected):
        publish(checkout, fix(checkout))
    assert github.requests == []


def test_a_bad_token_is_one_line(github, checkout, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_wrongwrongwrongwrongwrongwrong0000")
    with pytest.raises(ForgeError, match=r"rejected GITHUB_TOKEN \(401 Bad credentials\)") as err:
        publish(checkout, fix(checkout))
    assert "ghp_wrong" not in str(err.value)


# --- labels and reviewers ------------------------------------------------------------------------------------


def test_labels_reviewers_and_draft_come_from_the_config(github, checkout):
    config = Config(pull_request=PullRequest(labels=("fixbot", "deploy"), reviewers=("alice",),
                                             team_reviewers=("backend",), draft=True))
    published = publish(checkout, fix(checkout), config)

    pr = github.pulls[published.number]
    assert pr["labels"] == ["fixbot", "deploy"] and pr["draft"] is True
    assert (pr["requested_reviewers"], pr["requested_teams"]) == (["alice"], ["backend"])


def test_reviewers_come_from_codeowners_when_the_config_names_none(github, checkout):
    (checkout / ".github").mkdir()
    (checkout / ".github/CODEOWNERS").write_text(
        "* @dave\n"
        "config/ @bob @octo/platform  # settings belong to platform\n"
        "*.py @alice\n"
        "/config/settings.py @carol @octo/backend ops@example.com\n"
        "/docs/ @nobody\n"
    )
    git(checkout, "add", "-A")
    git(checkout, "commit", "-qm", "owners")
    git(checkout, "push", "-q", "origin", "main")  # the deployed commit is on origin's main
    published = publish(checkout, fix(checkout))

    pr = github.pulls[published.number]
    assert (pr["requested_reviewers"], pr["requested_teams"]) == (["carol"], ["backend"])


def test_a_label_or_reviewer_failure_is_a_warning(github, checkout):
    github.fail_next("POST", r"/labels$", 403)
    config = Config(pull_request=PullRequest(reviewers=("mallory",)))
    published = publish(checkout, fix(checkout), config)

    assert published.action == "opened" and len(github.pulls) == 1
    [labels, reviewers] = published.warnings
    assert "add the label(s) fixbot" in labels and "`pull-requests: write`" in labels
    assert "request reviews from @mallory" in reviewers and "collaborator" in reviewers


@pytest.mark.parametrize("rules, path, owners", [
    pytest.param("* @a\n", "x/y.py", (["a"], []), id="star owns everything"),
    pytest.param("*.js @a\n", "src/deep/app.js", (["a"], []), id="extension anywhere"),
    pytest.param("docs/* @a\n", "docs/sub/x.md", ([], []), id="dir star is not recursive"),
    pytest.param("docs/* @a\n", "docs/x.md", (["a"], []), id="dir star owns direct files"),
    pytest.param("apps/ @a\n", "x/apps/y/z.py", (["a"], []), id="unanchored dir anywhere"),
    pytest.param("/apps/ @a\n", "x/apps/y.py", ([], []), id="anchored dir only at root"),
    pytest.param("**/logs @a\n", "deep/er/logs/x", (["a"], []), id="double star prefix"),
    pytest.param("* @a\nconfig/ \n", "config/x.py", ([], []), id="no owner unsets"),
    pytest.param("* @a @org/ops x@y.z\n", "f", (["a"], ["ops"]), id="teams and emails"),
    pytest.param("# * @a\n", "f", ([], []), id="comment"),
])
def test_codeowners_matching(rules, path, owners):
    assert parse_codeowners(rules, [path]) == owners


def test_the_codeowners_that_counts_is_the_first_one_head_commits(tmp_path):
    # GitHub looks in .github/, then the root, then docs/; an uncommitted file is not part of the fix's commit.
    git(tmp_path, "init", "-q")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/CODEOWNERS").write_text("* @docs\n")
    (tmp_path / "CODEOWNERS").write_text("* @root\n")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "owners")
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github/CODEOWNERS").write_text("* @uncommitted\n")
    with RepoView.open(tmp_path, rev="HEAD") as view:
        assert read_codeowners(view) == "* @root\n"
    git(tmp_path, "rm", "-q", "CODEOWNERS", "docs/CODEOWNERS")
    git(tmp_path, "commit", "-qm", "no owners")
    with RepoView.open(tmp_path, rev="HEAD") as view:
        assert read_codeowners(view) is None


# --- run logs --------------------------------------------------------------------------------------------------


def test_run_logs_are_downloaded_through_the_redirect(github, tmp_path):
    archive = make_zip({"1_deploy.txt": "Unable to configure handler 'file'\n"})
    github.add_run(42, zip_bytes=archive)
    path = runs.download_run_logs("42", tmp_path / "dl", limits=FAST)

    assert path.read_bytes() == archive
    [blob] = github.calls("GET", r"^/_blobs/")
    assert "authorization" not in blob.headers  # the token never goes to the storage URL


def test_run_logs_survive_a_5xx(github, tmp_path):
    github.add_run(45, zip_bytes=make_zip({"1_deploy.txt": "x\n"}))
    github.fail_next("GET", r"/runs/45/logs$", 502)
    assert zipfile.is_zipfile(runs.download_run_logs(45, tmp_path, limits=FAST))


def test_run_logs_fall_back_to_each_jobs_log(github, tmp_path):
    github.add_run(43, jobs=[(7, "build", "ok\n"), (8, "deploy / boot", "Worker failed to boot.\n")])
    path = runs.download_run_logs(43, tmp_path, limits=FAST)

    with zipfile.ZipFile(path) as archive:
        assert {n: archive.read(n).decode() for n in archive.namelist()} == {
            "1_build.txt": "ok\n", "2_deploy _ boot.txt": "Worker failed to boot.\n"}


def test_run_logs_are_bounded_in_size(github, tmp_path):
    github.add_run(44, zip_bytes=make_zip({"1_x.txt": os.urandom(4096).hex()}))
    small = Limits(max_wait=1, backoff=0.01, max_log_bytes=1024)
    with pytest.raises(ForgeError, match="larger than"):
        runs.download_run_logs(44, tmp_path, limits=small)
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_run_is_one_line(github, tmp_path):
    with pytest.raises(ForgeError, match=r"could not list the jobs of run 99: GitHub answered 404"):
        runs.download_run_logs(99, tmp_path, limits=FAST)


class _Reply:
    """What `runs._http` returns, for answers the emulator never gives."""

    def __init__(self, status: int, *, headers: dict | None = None, body: bytes = b""):
        import requests

        self.response = requests.Response()
        self.response.status_code = status
        self.response.headers.update(headers or {})
        self.response._content = body
        self.response.url = "http://127.0.0.1:9/repos/octo/app/actions"


def _answers(monkeypatch, *replies: _Reply) -> None:
    queue = [r.response for r in replies]
    monkeypatch.setattr(runs, "_http", lambda *args, **kwargs: queue.pop(0))


@pytest.mark.parametrize(
    ("replies", "expected"),
    [
        pytest.param([_Reply(302)], "302 without a Location", id="redirect without Location"),
        pytest.param([_Reply(404), _Reply(200, body=b"<html>busy</html>")], "not the JSON object", id="jobs not JSON"),
        pytest.param([_Reply(404), _Reply(200, body=b"[1, 2]")], "not the JSON object", id="jobs a list"),
        pytest.param([_Reply(404), _Reply(200, body=b'{"jobs": {"id": 1}, "total_count": 1}')], "no list of jobs",
                     id="jobs not a list"),
        pytest.param([_Reply(404), _Reply(200, body=b'{"jobs": [{"name": "x"}], "total_count": 1}')],
                     "without a numeric id", id="job without id"),
        pytest.param([_Reply(404), _Reply(200, body=b'{"jobs": [{"id": "7/../x"}], "total_count": 1}')],
                     "without a numeric id", id="job id not a number"),
        pytest.param([_Reply(404), _Reply(200, body=b'{"jobs": [{"id": 7}], "total_count": 1}'), _Reply(302)],
                     "302 without a Location", id="job redirect without Location"),
    ],
)
def test_malformed_answers_about_run_logs_are_one_line(github, tmp_path, monkeypatch, replies, expected):
    _answers(monkeypatch, *replies)
    with pytest.raises(ForgeError, match=expected) as caught:
        runs.download_run_logs(46, tmp_path, limits=FAST)
    assert "\n" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_run_logs_that_cannot_be_written_are_one_line(github, tmp_path):
    github.add_run(47, zip_bytes=make_zip({"1_deploy.txt": "x\n"}))
    github.add_run(48, jobs=[(9, "deploy", "x\n")])
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    with pytest.raises(ForgeError, match=r"could not download the logs of run 47: cannot write to .*not-a-dir"):
        runs.download_run_logs(47, blocker, limits=FAST)
    (tmp_path / "dl").mkdir()
    (tmp_path / "dl" / "run-47-logs.zip").mkdir()  # where the archive should go, a directory is in the way
    (tmp_path / "dl" / "run-48-logs.zip").mkdir()
    for run in (47, 48):
        with pytest.raises(ForgeError, match=rf"could not download the log.* of run {run}.*: cannot write"):
            runs.download_run_logs(run, tmp_path / "dl", limits=FAST)


# --- secrets ---------------------------------------------------------------------------------------------------

SECRETS = {
    "GITHUB_PAT": "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8",
    "AWS": "AKIA" + "IOSFODNN7EXAMPLE",
    "DB_PASSWORD": "hunter2-" + "Sup3rS3cret",
    "DJANGO_SECRET_KEY": "dj-" + "x8f7s6d5a4s3d2f1g0h9",
}


def test_secrets_in_the_log_reach_no_pr_body_commit_or_comment(github, origin, tmp_path, monkeypatch):
    from fixbot import apply

    example = ROOT / "examples" / "ledgersg"
    root = tmp_path / "ledgersg"
    shutil.copytree(example, root, ignore=shutil.ignore_patterns("logs"))
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "initial")
    git(root, "remote", "add", "origin", str(origin))
    git(root, "push", "-q", "origin", "main")

    monkeypatch.setenv("DJANGO_SECRET_KEY", SECRETS["DJANGO_SECRET_KEY"])
    log = (example / "logs" / "boot-failure.log").read_text()
    leaky = (
        f"GITHUB_TOKEN={SECRETS['GITHUB_PAT']} AWS_ACCESS_KEY_ID={SECRETS['AWS']}\n"
        f"DATABASE_URL=postgres://ledger:{SECRETS['DB_PASSWORD']}@db.internal:5432/ledger\n"
        f"secret key in use: {SECRETS['DJANGO_SECRET_KEY']}\n"
    )
    # Every worker's root-cause line carries them, so they are the evidence the PR body quotes.
    log = log.replace(
        "'/app/apps/backend/logs/api.log'\n",
        f"'/app/apps/backend/logs/api.log' [db postgres://ledger:{SECRETS['DB_PASSWORD']}@db"
        f" token={SECRETS['GITHUB_PAT']} key {SECRETS['AWS']} {SECRETS['DJANGO_SECRET_KEY']}]\n",
    )
    (tmp_path / "deploy.log").write_text(leaky + log)

    result = apply.run(str(tmp_path / "deploy.log"), root)
    assert result.status == "fixed"
    assert any(SECRETS["AWS"] in e.text for f in result.findings for e in f.evidence), "the secrets must be evidence"
    run_url = RUN.format(9)
    body = report.pr_body(result, run_url)
    published = pulls.publish(root, result, Config(), body=body, title=report.pr_title(result), run_url=run_url,
                              limits=FAST)
    # A second run of the same failure comments on the PR.
    pulls.publish(root, result, Config(), body=body, title=report.pr_title(result), run_url=RUN.format(10),
                  limits=FAST)

    sent = [str(r.body) for r in github.requests]
    pr = github.pulls[published.number]
    commit_message = git(origin, "log", "--format=%B", "-1", f"refs/heads/{result.branch}")
    texts = {"PR body": pr["body"], "title": pr["title"], "commit": commit_message,
             "comments": "".join(c["body"] for c in github.comments[published.number]), "requests": "".join(sent)}
    assert "Evidence" in pr["body"] and github.comments[published.number]
    for where, text in texts.items():
        for name, secret in SECRETS.items():
            assert secret not in text, f"{name} leaked into the {where}"
