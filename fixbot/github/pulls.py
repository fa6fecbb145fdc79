"""Pull requests: push fixbot's branch with a lease, then find, open or update its one pull request.

One failure, one pull request: the fix's fingerprint is in the branch name and in a hidden marker in the PR body.
Both are public, so a PR counts as fixbot's only when its head is in GITHUB_REPOSITORY and its author is the
token's own identity. An open PR is updated; one closed without merging is a reviewer's "no" and stays closed
unless forced; commits on the branch by anyone else are never overwritten. The PR goes into the branch that was
deployed, and only when origin's copy of it contains HEAD, so its diff is the fix alone.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from github import Github, GithubException

from fixbot import gitops
from fixbot.config import Config
from fixbot.errors import BadInput
from fixbot.github.client import (ActionsMayNotOpenPulls, ForgeError, Limits, T, _api, _Budget, _connect, _create_once,
                                  _env, _Env, _malformed, _typed)
from fixbot.github.codeowners import parse_codeowners, read_codeowners
from fixbot.redact import redact
from fixbot.repo import RepoView
from fixbot.report import MARKER, PR_BODY_LIMIT


@dataclass(frozen=True)
class Published:
    """What publish did. action: opened | reopened | updated | exists | kept | closed-unmerged."""

    url: str | None
    number: int | None
    action: str
    warnings: tuple[str, ...] = ()


# --- publish -------------------------------------------------------------------------------------------------


def check_ready(repo_root: str | os.PathLike[str], remote: str = "origin") -> None:
    """Fail before anything is committed when publishing cannot work: no token, no repository name, no remote."""
    _env()
    gitops.check_remote(repo_root, remote)


def publish(
    repo_root: str | os.PathLike[str] | gitops.Session,
    result: Any,
    config: Config,
    *,
    force: bool = False,
    run_url: str | None = None,
    body: str,
    title: str,
    limits: Limits | None = None,
) -> Published:
    """Push `result.branch` to origin and make sure exactly one PR carries it; see the module docstring.

    `result` is an `apply.Result` with status "fixed" and a commit. `body` and `title` come from `report`;
    they are redacted again here, and the fingerprint marker is added when the body lacks it. `repo_root` is the
    run's git session (or a directory, opened once here): every git step below goes through it.
    """
    with gitops.session(repo_root) as repo:
        return _publish(repo, result, config, force=force, run_url=run_url, body=body, title=title, limits=limits)


def _publish(repo_root: gitops.Session, result: Any, config: Config, *, force: bool, run_url: str | None, body: str,
             title: str, limits: Limits | None) -> Published:
    if getattr(result, "status", None) != "fixed" or not (result.branch and result.commit and result.fingerprint):
        raise ForgeError(f"nothing to publish: the result is {getattr(result, 'status', None)!r}, not a committed fix")
    limits = limits or Limits()
    gh, env, budget = _connect(limits)
    warnings: list[str] = []
    # The base is the branch that was deployed, and the fix must sit on what origin has there: a PR into any
    # other branch would carry every commit the deployed branch has and the base lacks.
    base = result.base
    if base is None:
        raise ForgeError("HEAD is detached: name the branch that was deployed with --base-branch")
    _git(f"compare HEAD with origin's {base}", "contents: read",
         lambda: gitops.check_based_on(repo_root, result.commit, base))
    repo = _api(f"read the repository {env.repository}", "metadata: read", lambda: _checked(gh.get_repo(env.repository)))
    me = _whoami(gh)
    marker = MARKER.format(result.fingerprint)
    body = _with_marker(redact(body), marker)
    title = " ".join(redact(title).split())[:256] or "fixbot: fix the deploy's logging configuration"

    pulls = _find_pulls(gh, repo, env, me, result.branch, base, marker, warnings)
    current = next((p for p in pulls if p.state == "open"), None)
    closed = [p for p in pulls if p.state == "closed"]
    # The newest closed PR decides: merged means that fix landed and this is a new occurrence; unmerged is a "no".
    rejected = closed[-1] if closed and not closed[-1].merged else None
    if current is None and rejected is not None and not force:
        return Published(rejected.url, rejected.number, "closed-unmerged", tuple(warnings))

    note_key = run_url if run_url and _URL.fullmatch(run_url) else result.commit
    if current is not None and current.ref != result.branch:
        # Found by its marker on another branch (the branch prefix changed): fixbot pushes only to its own branch.
        text = (f"The deploy failed the same way again{_run_link(run_url)}. fixbot's fix is now on `{result.branch}`;"
                f" this pull request's branch `{current.ref}` was left as it is.")
        commented = _comment_once(current, me, text, note_key, budget, limits)
        other = (f"pull request #{current.number} carries this fix on branch {current.ref}, not {result.branch};"
                 " fixbot commented there and pushed nothing")
        return Published(current.url, current.number, "updated" if commented else "exists", (*warnings, other))
    pushed = _push(repo_root, result, config)
    if pushed is None:
        kept = (f"branch {result.branch} on origin has commits by someone else; fixbot kept them and pushed nothing"
                f" (its fix is {result.commit[:12]})")
        if current is None:
            return Published(None, None, "kept", (*warnings, kept))
        text = (f"The deploy failed the same way again{_run_link(run_url)}. fixbot did not update `{result.branch}`:"
                " it has commits by someone else, and fixbot never overwrites them.")
        _comment_once(current, me, text, note_key, budget, limits)
        return Published(current.url, current.number, "kept", (*warnings, kept))

    if current is not None:
        changed = pushed
        if current.body != body or current.title != title:
            _api(f"update pull request #{current.number}", "pull-requests: write",
                 lambda: current.pr.edit(title=title, body=body))
            changed = True
        what = f"pushed {result.commit[:12]}" if pushed else "found the branch already up to date"
        text = (f"The deploy failed the same way again{_run_link(run_url)}. fixbot {what} and refreshed the"
                " description.")
        commented = _comment_once(current, me, text, note_key, budget, limits)
        return Published(current.url, current.number, "updated" if changed or commented else "exists",
                         tuple(warnings))

    if rejected is not None and rejected.ref == result.branch:  # force overrides the reviewer's "no"
        reopened = _reopen(rejected, title, body)
        if reopened:
            text = f"Reopened by fixbot with --force: the deploy failed the same way again{_run_link(run_url)}."
            _comment_once(rejected, me, text, note_key, budget, limits)
            return Published(rejected.url, rejected.number, "reopened", tuple(warnings))

    head = f"{env.owner}:{result.branch}"

    def find() -> "_Pull | None":
        return next((p for p in map(_pull, repo.get_pulls(state="open", head=head, base=base))
                     if _ours(p, env, me) and p.ref == result.branch), None)

    try:
        pr = _create_once(
            "open the pull request", budget, limits,
            create=lambda: _pull(repo.create_pull(base=base, head=result.branch, title=title, body=body,
                                                  draft=config.pull_request.draft, maintainer_can_modify=True)),
            find=find,
        )
    except ActionsMayNotOpenPulls as err:
        # No pull request can carry the branch until the setting changes: leave nothing behind on origin.
        raise ForgeError(f"{err}; {_delete_pushed(repo_root, result)}") from None
    _decorate(pr, repo_root, result, config, warnings)
    return Published(pr.url, pr.number, "opened", tuple(warnings))


@dataclass(frozen=True)
class _Pull:
    """What publish reads of a pull request, read once (inside `_api`, so a malformed answer is a ForgeError)."""

    number: int
    state: str
    merged: bool
    ref: str
    base: str
    head_repo: str | None  # None: the fork it came from was deleted
    author: str | None
    url: str
    title: str
    body: str
    pr: Any  # PyGithub's PullRequest, for writes


def _pull(pr) -> _Pull:
    # merged_at, not merged: list responses are "pull-request-simple", which has no `merged` field.
    head = pr.head
    return _Pull(_typed(pr.number, int), _typed(pr.state, str), pr.merged_at is not None, _typed(head.ref, str),
                 _typed(pr.base.ref, str),
                 _typed(head.repo.full_name, str) if head.repo is not None else None,
                 _typed(pr.user.login, str) if pr.user is not None else None,
                 _typed(pr.html_url, str), pr.title or "", pr.body or "", pr)


def _ours(pr: _Pull, env: "_Env", me: str) -> bool:
    """Whether fixbot opened `pr`: its head is in GITHUB_REPOSITORY (not a fork, not even one with the same owner,
    which `head=owner:branch` also matches) and its author is the token's own identity. The marker and the
    branch name are public, so anyone can copy them; neither counts without these two."""
    return (pr.head_repo or "").lower() == env.repository.lower() and pr.author == me


def _whoami(gh: Github) -> str:
    """The login that authors what this token opens, from GraphQL's `viewer`.

    `viewer` answers every kind of token: a user's (PAT, OAuth) with the user, an installation token (the Actions
    GITHUB_TOKEN, a GitHub App's token) with the bot user it acts as (`github-actions[bot]`, `<app-slug>[bot]`),
    the login on the PRs it opens. REST has no such single call: `GET /user` answers an installation token with
    403 "Resource not accessible by integration", and `GET /app` needs the app's JWT. GITHUB_ACTOR is not used:
    it names who triggered the run, not who the token is.
    """
    query = "query { viewer { login __typename } }"

    def ask():
        try:
            return gh.requester.graphql_query(query, {})
        except GithubException as exc:
            if exc.status != 404:
                raise
            # Not the repository's 404: the GraphQL endpoint itself is missing (a proxy that passes only REST).
            raise ForgeError("could not read who the token is: GitHub's GraphQL API answered 404; is GITHUB_API_URL"
                             " the API's address (https://HOST/api/v3 on GitHub Enterprise Server)?") from None

    _, data = _api("read who the token is (GraphQL viewer)", "metadata: read", ask)
    try:
        viewer = _typed(_typed(_typed(data, dict).get("data"), dict).get("viewer"), dict)
        login = _typed(viewer.get("login"), str)
    except TypeError as exc:
        raise _malformed(exc, "read who the token is (GraphQL viewer)") from None
    # A bot may be named without the suffix REST puts on its PRs' author.
    return login if viewer.get("__typename") != "Bot" or login.endswith("[bot]") else f"{login}[bot]"


def _checked(repo):
    # PyGithub wraps an HTML page as {"data": ...} and fills full_name from the URL it asked: look at the JSON.
    _typed(_typed(repo.raw_data, dict).get("full_name"), str)
    return repo


def _find_pulls(gh: Github, repo, env: "_Env", me: str, branch: str, base: str, marker: str,
                warnings: list[str]) -> list[_Pull]:
    """fixbot's PRs for this fingerprint, oldest first: by head branch (any state), then by the body marker.
    Only PRs fixbot opened in this repository count (`_ours`): a fork's, or anyone else's, is never adopted;
    and only into `base`: one into another branch is another fix, whose head must never get this one's commits."""
    head = f"{env.owner}:{branch}"
    listed = _api("list pull requests", "pull-requests: read",
                  lambda: [_pull(p) for p in repo.get_pulls(state="all", head=head)])
    found = {p.number: p for p in listed if p.ref == branch and p.base == base and _ours(p, env, me)}
    # The marker also finds a PR opened under another branch prefix; search is best effort, so a failure warns.
    query = f'repo:{env.repository} is:pr in:body "{marker[5:-4]}"'
    try:
        hits = _api("search pull requests by fingerprint", "pull-requests: read",
                    lambda: [_typed(i.number, int) for i in gh.search_issues(query)
                             if _marked(i.body, marker) and i.user is not None and i.user.login == me])
        for number in hits:
            if number not in found:
                pull = _api(f"read pull request #{number}", "pull-requests: read", lambda: _pull(repo.get_pull(number)))
                if _ours(pull, env, me) and pull.base == base and _marked(pull.body, marker):
                    found[number] = pull
    except ForgeError as err:
        warnings.append(str(err))
    return [found[n] for n in sorted(found)]


def _reopen(pull: _Pull, title: str, body: str) -> bool:
    try:
        _api(f"reopen pull request #{pull.number}", "pull-requests: write",
             lambda: pull.pr.edit(state="open", title=title, body=body))
        return True
    except ForgeError:
        return False  # GitHub cannot reopen a PR whose branch was deleted and pushed anew: open a new one


def _comment_once(pull: _Pull, me: str, text: str, key: str, budget: "_Budget", limits: Limits) -> bool:
    """Post `text` unless this run already did (a rerun of the same job, or a 5xx after the comment was made).
    Only fixbot's own comment counts: anyone can paste the tag to keep fixbot quiet."""
    tag = f"<!-- fixbot:run={key} -->"
    pr = pull.pr

    def find():
        return next((c for c in pr.get_issue_comments()
                     if tag in (c.body or "") and c.user is not None and c.user.login == me), None)

    if _api(f"read the comments of #{pull.number}", "pull-requests: read", find) is not None:
        return False
    full = redact(text)[: PR_BODY_LIMIT - len(tag) - 2] + "\n\n" + tag
    _create_once(f"comment on pull request #{pull.number}", budget, limits,
                 create=lambda: pr.create_issue_comment(full), find=find)
    return True


def _decorate(pull: _Pull, repo_root, result, config: Config, warnings: list[str]) -> None:
    """Labels and reviewers: each failure is a warning, the PR stands without them."""
    wanted = config.pull_request
    labels = list(wanted.labels)
    users, teams = list(wanted.reviewers), list(wanted.team_reviewers)
    if not (users or teams):
        users, teams = _codeowners(repo_root, [c.path for c in result.changes])
    if labels:
        try:
            _api(f"add the label(s) {', '.join(labels)}", "pull-requests: write", lambda: pull.pr.add_to_labels(*labels))
        except ForgeError as err:
            warnings.append(str(err))
    if users or teams:
        who = ", ".join([*(f"@{u}" for u in users), *(f"team {t}" for t in teams)])
        try:
            _api(f"request reviews from {who}", "pull-requests: write",
                 lambda: pull.pr.create_review_request(reviewers=users, team_reviewers=teams))
        except ForgeError as err:
            warnings.append(str(err))



def _codeowners(repo_root, paths: list[str]) -> tuple[list[str], list[str]]:
    """(users, team slugs) owning `paths` per the CODEOWNERS committed at HEAD; empty when there is none."""
    try:
        with RepoView.open(repo_root, rev="HEAD") as view:
            text = read_codeowners(view)
    except (BadInput, gitops.GitError):
        text = None
    return ([], []) if text is None else parse_codeowners(text, paths)

def _marked(body: str | None, marker: str) -> bool:
    """Whether a PR body is fixbot's for this fingerprint: the marker is its FIRST line, where fixbot puts it.
    Anywhere else it may be text quoted from a log, which must not make another PR look like this fix's."""
    return (body or "").split("\n", 1)[0].rstrip("\r").strip() == marker


def _with_marker(body: str, marker: str) -> str:
    """`body` with `marker` as its first line, cut to GitHub's limit (the marker stays)."""
    if not _marked(body, marker):
        body = marker + "\n\n" + body.lstrip("\n")
    if len(body) > PR_BODY_LIMIT:
        cut = "\n\n(truncated: the description was longer than GitHub allows)\n"
        body = body[: PR_BODY_LIMIT - len(cut)] + cut
    return body


_URL = re.compile(r"https?://[^\s<>\"'`()\[\]]+")


def _run_link(run_url: str | None) -> str:
    return f" ([run]({run_url}))" if run_url and _URL.fullmatch(run_url) else ""


# --- push --------------------------------------------------------------------------------------------------


def _push(repo_root, result, config: Config) -> bool | None:
    """True: pushed; False: origin already had the commit; None: the branch holds someone else's commits."""
    branch = result.branch
    for _ in range(3):  # a lease lost to a concurrent fixbot run is retried against the new tip
        remote = _git(f"read branch {branch} on origin", "contents: read",
                      lambda: gitops.remote_branch_sha(repo_root, branch))
        if remote == result.commit:
            return False
        if remote is not None and _foreign_commits(repo_root, branch, remote, result.commit, config):
            return None
        try:
            gitops.push(repo_root, branch, expect=remote)
            return True
        except gitops.GitError as err:
            moved = _git(f"read branch {branch} on origin", "contents: read",
                         lambda: gitops.remote_branch_sha(repo_root, branch)) != remote
            if not moved:
                raise _git_error(err, f"push {branch} to origin", "contents: write") from None
    raise ForgeError(f"could not push {branch} to origin: the branch kept moving under fixbot (3 tries)")


def _delete_pushed(repo_root, result) -> str:
    """Delete fixbot's branch on origin while it holds only this fix's commit; what was done, for the message."""
    try:
        gitops.delete_remote_branch(repo_root, result.branch, expect=result.commit)
    except gitops.GitError as err:
        return f"the branch {result.branch} stays on origin ({' '.join(redact(str(err)).split())})"
    return f"fixbot deleted the branch {result.branch} it had pushed"


def _foreign_commits(repo_root, branch: str, remote: str, ours: str, config: Config) -> list[str]:
    """Commits on origin's `branch` that fixbot did not both author and commit (a human's, or a rebase by one)."""
    try:
        found = gitops.commits_not_by(
            repo_root, branch, remote_sha=remote, ours=ours,
            emails={config.author.email, gitops.DEFAULT_AUTHOR[1]},
        )
    except gitops.GitError as err:
        raise ForgeError(" ".join(redact(str(err)).split())) from None
    return [remote] if found is None else found  # moved past what was fetched: someone else's until seen


def _git(what: str, permission: str, fn: Callable[[], T]) -> T:
    try:
        return fn()
    except gitops.GitError as err:
        raise _git_error(err, what, permission) from None


def _git_error(err: gitops.GitError, what: str, permission: str) -> ForgeError:
    text = " ".join(redact(str(err)).split())
    if re.search(r"(?i)\b403\b|permission to \S+ denied|denied to|not allowed to push", text):
        return ForgeError(f"could not {what}: the token lacks the `{permission}` permission ({text})")
    return ForgeError(text)
