"""GitHub side effects: push fixbot's branch with a lease, find-or-open-or-update its one pull request, fetch run logs.

One failure, one pull request: the fix's fingerprint is in the branch name and in a hidden marker in the PR body.
Both are public, so a PR counts as fixbot's only when its head is in GITHUB_REPOSITORY and its author is the
token's own identity. An open PR is updated; one closed without merging is a reviewer's "no" and stays closed
unless forced; commits on the branch by anyone else are never overwritten. The PR goes into the branch that was
deployed, and only when origin's copy of it contains HEAD, so its diff is the fix alone. Every GitHub failure,
a garbage answer included, becomes a one-line ForgeError.
"""

from __future__ import annotations

import logging
import os
import re
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import requests
from github import Auth, Github, GithubException
from github.GithubException import BadAttributeException
from github.GithubRetry import GithubRetry
from github.Requester import Requester
from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.exceptions import TimeoutError as _Timeout

from fixbot import gitops
from fixbot.report import MARKER, PR_BODY_LIMIT
from fixbot.config import Config
from fixbot.errors import FixbotError
from fixbot.redact import redact

DEFAULT_API_URL = "https://api.github.com"
CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")  # GitHub's search order

T = TypeVar("T")


class ForgeError(FixbotError):
    """GitHub or the push refused fixbot; the message says what to change (a permission, a variable)."""


@dataclass(frozen=True)
class Limits:
    """How patient fixbot is with GitHub. Tests make these tiny; the defaults suit a CI job."""

    max_wait: float = 60.0  # total seconds spent waiting between retries, over one publish or download
    backoff: float = 1.0  # 5xx retries wait 0, 2x, 4x ... this (urllib3's schedule)
    request_gap: float = 0.25  # PyGithub's own pacing; GitHub asks for a second between writes
    write_gap: float = 1.0
    timeout: int = 15  # seconds; PyGithub takes whole seconds
    max_log_bytes: int = 256 * 2**20


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
    repo_root: str | os.PathLike[str],
    result: Any,
    config: Config,
    *,
    base_branch: str | None = None,
    force: bool = False,
    run_url: str | None = None,
    body: str,
    title: str,
    limits: Limits | None = None,
) -> Published:
    """Push `result.branch` to origin and make sure exactly one PR carries it; see the module docstring.

    `result` is an `apply.Result` with status "fixed" and a commit. `body` and `title` come from `report`;
    they are redacted again here, and the fingerprint marker is added when the body lacks it.
    """
    if getattr(result, "status", None) != "fixed" or not (result.branch and result.commit and result.fingerprint):
        raise ForgeError(f"nothing to publish: the result is {getattr(result, 'status', None)!r}, not a committed fix")
    limits = limits or Limits()
    gh, env, budget = _connect(limits)
    warnings: list[str] = []
    # The base is the branch that was deployed, and the fix must sit on what origin has there: a PR into any
    # other branch would carry every commit the deployed branch has and the base lacks.
    base = base_branch or gitops.current_branch(repo_root)
    if base is None:
        raise ForgeError("HEAD is detached: name the branch that was deployed with --base-branch")
    _git(f"compare HEAD with origin's {base}", "contents: read",
         lambda: gitops.check_based_on(repo_root, result.commit, base))
    repo = _api(f"read the repository {env.repository}", "metadata: read", lambda: _checked(gh.get_repo(env.repository)))
    me = _whoami(gh)
    marker = MARKER.format(result.fingerprint)
    body = _with_marker(redact(body), marker)
    title = " ".join(redact(title).split())[:256] or "fixbot: fix the deploy's logging configuration"

    pulls = _find_pulls(gh, repo, env, me, result.branch, marker, warnings)
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

    pr = _create_once(
        "open the pull request", budget, limits,
        create=lambda: _pull(repo.create_pull(base=base, head=result.branch, title=title, body=body,
                                              draft=config.pull_request.draft, maintainer_can_modify=True)),
        find=find,
    )
    _decorate(pr, repo_root, result, config, warnings)
    return Published(pr.url, pr.number, "opened", tuple(warnings))


@dataclass(frozen=True)
class _Pull:
    """What publish reads of a pull request, read once (inside `_api`, so a malformed answer is a ForgeError)."""

    number: int
    state: str
    merged: bool
    ref: str
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
    _, data = _api("read who the token is (GraphQL viewer)", "metadata: read",
                   lambda: gh.requester.graphql_query(query, {}))
    try:
        viewer = _typed(_typed(_typed(data, dict).get("data"), dict).get("viewer"), dict)
        login = _typed(viewer.get("login"), str)
    except TypeError as exc:
        raise _malformed(exc, "read who the token is (GraphQL viewer)") from None
    # A bot may be named without the suffix REST puts on its PRs' author.
    return login if viewer.get("__typename") != "Bot" or login.endswith("[bot]") else f"{login}[bot]"


def _typed(value: Any, kind: type[T]) -> T:
    """`value` if GitHub sent the type its API documents; TypeError (a malformed answer, see `_api`) otherwise."""
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")
    return value


def _checked(repo):
    # PyGithub wraps an HTML page as {"data": ...} and fills full_name from the URL it asked: look at the JSON.
    _typed(_typed(repo.raw_data, dict).get("full_name"), str)
    return repo


def _find_pulls(gh: Github, repo, env: "_Env", me: str, branch: str, marker: str, warnings: list[str]) -> list[_Pull]:
    """fixbot's PRs for this fingerprint, oldest first: by head branch (any state), then by the body marker.
    Only PRs fixbot opened in this repository count (`_ours`): a fork's, or anyone else's, is never adopted."""
    head = f"{env.owner}:{branch}"
    listed = _api("list pull requests", "pull-requests: read",
                  lambda: [_pull(p) for p in repo.get_pulls(state="all", head=head)])
    found = {p.number: p for p in listed if p.ref == branch and _ours(p, env, me)}
    # The marker also finds a PR opened under another branch prefix; search is best effort, so a failure warns.
    query = f'repo:{env.repository} is:pr in:body "{marker[5:-4]}"'
    try:
        hits = _api("search pull requests by fingerprint", "pull-requests: read",
                    lambda: [_typed(i.number, int) for i in gh.search_issues(query)
                             if _marked(i.body, marker) and i.user is not None and i.user.login == me])
        for number in hits:
            if number not in found:
                pull = _api(f"read pull request #{number}", "pull-requests: read", lambda: _pull(repo.get_pull(number)))
                if _ours(pull, env, me) and _marked(pull.body, marker):
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
        users, teams = codeowners_for(repo_root, [c.path for c in result.changes])
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


# --- run logs ------------------------------------------------------------------------------------------------


def download_run_logs(run_id: int | str, dest_dir: str | os.PathLike[str], *, limits: Limits | None = None) -> Path:
    """The logs of a GitHub Actions run as a zip in `dest_dir`: the run's archive, else one text file per job.

    The archive is fetched from the pre-signed URL GitHub redirects to, without the token; at most
    `limits.max_log_bytes` are read.
    """
    try:
        run = int(str(run_id))
        if run <= 0:
            raise ValueError
    except ValueError:
        raise ForgeError(f"run id {run_id!r} is not a positive number") from None
    limits = limits or Limits()
    env = _env()
    budget = _Budget(limits.max_wait)
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(max_retries=_retry(budget, limits))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    api = f"{env.api_url}/repos/{env.repository}/actions"
    dest = Path(dest_dir) / f"run-{run}-logs.zip"
    what = f"download the logs of run {run}"
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ForgeError(f"could not {what}: cannot write to {dest.parent}: {err.strerror or err}") from None
    with session:
        reply = _http(session, env, limits, f"{api}/runs/{run}/logs", what)
        if reply.status_code == 302:
            _fetch(session, limits, _location(reply, what), dest, what)
            if zipfile.is_zipfile(dest):
                return dest
            dest.unlink()
            raise ForgeError(f"could not {what}: GitHub sent something that is not a zip archive")
        if reply.status_code not in (404, 410):
            raise _error(_as_github(reply), what, "actions: read")
        # The run's archive is gone or not built: fall back to each job's log.
        jobs, page = [], 1
        while True:
            listed = _http(session, env, limits, f"{api}/runs/{run}/jobs?per_page=100&page={page}",
                           f"list the jobs of run {run}")
            if listed.status_code != 200:
                raise _error(_as_github(listed), f"list the jobs of run {run}", "actions: read")
            payload = _json_object(listed, f"list the jobs of run {run}")
            batch = payload.get("jobs") or []
            if not isinstance(batch, list):
                raise ForgeError(f"could not list the jobs of run {run}: GitHub's answer has no list of jobs")
            jobs += batch
            total = payload.get("total_count", 0)
            if not batch or not isinstance(total, int) or len(jobs) >= total:
                break
            page += 1
        if not jobs:
            raise ForgeError(f"could not {what}: the run has no logs and no jobs")
        ids = [_job_id(job, run) for job in jobs]  # every job checked before anything is written
        used = 0
        try:
            with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as archive:
                for n, (job, job_id) in enumerate(zip(jobs, ids), 1):
                    job_what = f"download the log of job {job.get('name')!r} of run {run}"
                    reply = _http(session, env, limits, f"{api}/jobs/{job_id}/logs", job_what)
                    if reply.status_code != 302:
                        raise _error(_as_github(reply), job_what, "actions: read")
                    data = _fetch(session, limits, _location(reply, job_what), None, job_what,
                                  limits.max_log_bytes - used)
                    used += len(data)
                    name = re.sub(r"[^A-Za-z0-9 ._()-]+", "_", str(job.get("name") or job_id)).strip() or str(job_id)
                    archive.writestr(f"{n}_{name}.txt", data)  # the layout of GitHub's own run archive
        except OSError as err:
            _discard(dest)
            raise ForgeError(f"could not {what}: cannot write {dest}: {err.strerror or err}") from None
        except BaseException:
            _discard(dest)
            raise
    return dest


def _discard(path: Path) -> None:
    """Remove a partial download; what cannot be removed (a directory in its way) is left as it is."""
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


def _location(reply: requests.Response, what: str) -> str:
    """Where a 302 sends the download; a redirect without a Location header is GitHub's error, in one line."""
    location = reply.headers.get("Location")
    if not location:
        raise ForgeError(f"could not {what}: GitHub answered HTTP {reply.status_code} without a Location to download from")
    return urljoin(reply.url, location)


def _json_object(reply: requests.Response, what: str) -> dict:
    try:
        payload = reply.json()
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        raise ForgeError(f"could not {what}: GitHub's answer is not the JSON object it should be")
    return payload


def _job_id(job: object, run: int) -> int:
    value = job.get("id") if isinstance(job, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit():
        raise ForgeError(f"could not list the jobs of run {run}: GitHub listed a job without a numeric id ({value!r})")
    return int(value)


def _http(session: requests.Session, env: "_Env", limits: Limits, url: str, what: str) -> requests.Response:
    try:
        return session.get(url, allow_redirects=False, timeout=limits.timeout, headers={
            "Authorization": f"Bearer {env.token}", "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28"})
    except requests.RequestException as exc:
        raise ForgeError(f"could not {what}: cannot reach {env.api_url} ({_short(exc)})") from None


def _fetch(session, limits: Limits, url: str, dest: Path | None, what: str, most: int | None = None) -> bytes:
    """GET a pre-signed URL, never with the token, reading at most `most` bytes; to `dest`, or returned."""
    most = limits.max_log_bytes if most is None else most
    chunks, size = [], 0
    try:
        with session.get(url, stream=True, timeout=limits.timeout) as reply:
            if reply.status_code != 200:
                raise ForgeError(f"could not {what}: the download answered HTTP {reply.status_code}")
            try:
                out = dest.open("wb") if dest is not None else None
            except OSError as err:
                raise ForgeError(f"could not {what}: cannot write {dest}: {err.strerror or err}") from None
            try:
                for chunk in reply.iter_content(64 * 1024):
                    size += len(chunk)
                    if size > most:
                        raise ForgeError(f"could not {what}: the logs are larger than {limits.max_log_bytes // 2**20} MiB")
                    (out.write(chunk) if out else chunks.append(chunk))
            finally:
                if out:
                    out.close()
    except requests.RequestException as exc:
        raise ForgeError(f"could not {what}: {_short(exc)}") from None
    except ForgeError:
        if dest is not None:
            _discard(dest)
        raise
    except OSError as err:  # the disk filled up, or the file went away while it was written
        if dest is not None:
            _discard(dest)
        raise ForgeError(f"could not {what}: cannot write {dest}: {err.strerror or err}") from None
    return b"".join(chunks)


def _as_github(reply: requests.Response) -> GithubException:
    try:
        data = reply.json()
    except ValueError:
        data = None
    return GithubException(reply.status_code, data, dict(reply.headers))


# --- CODEOWNERS ------------------------------------------------------------------------------------------------


def codeowners_for(repo_root, paths: Iterable[str]) -> tuple[list[str], list[str]]:
    """(users, team slugs) owning `paths` per the CODEOWNERS committed at HEAD; empty when there is none."""
    for candidate in CODEOWNERS_PATHS:
        try:
            data = gitops.head_blob(repo_root, candidate)
        except gitops.GitError:
            data = None
        if data is not None:
            return parse_codeowners(data.decode("utf-8", "replace"), paths)
    return [], []


def parse_codeowners(text: str, paths: Iterable[str]) -> tuple[list[str], list[str]]:
    """Owners of `paths`: for each path the last matching rule wins; `@org/team` becomes a team slug."""
    rules = []
    for line in text.splitlines():
        fields = re.sub(r"(^|\s)#.*", "", line).split()
        if fields:
            rules.append((_codeowners_pattern(fields[0]), fields[1:]))
    users: dict[str, None] = {}
    teams: dict[str, None] = {}
    for path in paths:
        owners = next((owners for rx, owners in reversed(rules) if rx.fullmatch(path)), [])
        for owner in owners:
            if not owner.startswith("@"):
                continue  # an email cannot be asked for a review
            org, _, team = owner[1:].partition("/")
            (teams if team else users)[team or org] = None
    return list(users), list(teams)


def _codeowners_pattern(pattern: str) -> re.Pattern[str]:
    """gitignore-style matching as GitHub documents it for CODEOWNERS."""
    anchored = "/" in pattern.rstrip("/")  # a slash at the start or in the middle ties it to the root
    directory = pattern.endswith("/")
    core = pattern.strip("/")
    out, i = [], 0
    while i < len(core):
        if core.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif core.startswith("**", i):
            out.append(".*")
            i += 2
        elif core[i] == "*":
            out.append("[^/]*")
            i += 1
        elif core[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(core[i]))
            i += 1
    # `docs/*` owns the files directly in docs/; anything else also owns what lies below a matching directory.
    tail = "/.*" if directory else ("" if core.endswith("/*") else "(?:/.*)?")
    return re.compile(("" if anchored else "(?:.*/)?") + "".join(out) + tail)


# --- GitHub client, retries and errors -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Env:
    token: str
    repository: str
    api_url: str

    @property
    def owner(self) -> str:
        return self.repository.split("/")[0]


def _env() -> _Env:
    token = os.environ.get("GITHUB_TOKEN", "").strip()
    if not token:
        raise ForgeError("GITHUB_TOKEN is not set: fixbot needs a token to push its branch and open the pull request")
    repository = os.environ.get("GITHUB_REPOSITORY", "").strip()
    if not repository:
        raise ForgeError("GITHUB_REPOSITORY is not set: it names the repository (owner/name) to open the pull request in")
    if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repository):
        raise ForgeError(f"GITHUB_REPOSITORY {repository!r} is not owner/name")
    api_url = (os.environ.get("GITHUB_API_URL") or DEFAULT_API_URL).strip().rstrip("/")
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", api_url):
        raise ForgeError(f"GITHUB_API_URL {api_url!r} is not an http(s) URL")
    return _Env(token, repository, api_url)


class _Budget:
    """Seconds left to wait on GitHub during one operation, shared by every retry of every request."""

    def __init__(self, seconds: float) -> None:
        self.total = self.left = max(0.0, seconds)

    def take(self, seconds: float) -> bool:
        if seconds > self.left:
            return False
        self.left -= seconds
        return True


# A POST that creates a PR or a comment is never replayed blindly: a 5xx can come after the write happened.
_CREATES = re.compile(r"/pulls$|/comments$")


class _Retry(GithubRetry):
    """PyGithub's retry (5xx, 429, rate-limit 403s honouring Retry-After and X-RateLimit-Reset) within a budget."""

    def __init__(self, budget: _Budget | None = None, timeout: float = 0, **kwargs: Any) -> None:
        self.budget = budget or _Budget(0)
        self.timeout = timeout
        super().__init__(**kwargs)

    def new(self, **kwargs: Any) -> "_Retry":
        retry = super().new(**kwargs)
        retry.budget, retry.timeout = self.budget, self.timeout
        return retry

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        if method == "POST" and url and _CREATES.search(urlsplit(url).path):
            raise MaxRetryError(_pool, url, error or ResponseError("not replayed: publish looks before it retries"))
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        wait = (retry.get_retry_after(response) if response is not None else None) or retry.get_backoff_time()
        # A read that timed out already waited `timeout` seconds: without this, 10 tries of a GitHub that never
        # answers would wait ten timeouts, far past the budget.
        spent = wait + (self.timeout if isinstance(error, _Timeout) else 0)
        if not self.budget.take(spent):
            # With raise_on_status=False urllib3 hands back this response, so the caller sees GitHub's own answer.
            raise MaxRetryError(_pool, url, error or ResponseError(f"would wait {wait:.0f}s more"))
        return retry


def _retry(budget: _Budget, limits: Limits) -> _Retry:
    return _Retry(
        budget,
        limits.timeout,
        total=10,
        backoff_factor=limits.backoff,
        backoff_max=max(limits.max_wait, 0.001),
        status_forcelist=[*range(500, 600), 429],
        allowed_methods=frozenset({"GET", "HEAD", "PUT", "PATCH", "DELETE", "POST"}),
        raise_on_status=False,
        raise_on_redirect=False,
        secondary_rate_wait=60.0,
    )


def _connect(limits: Limits) -> tuple[Github, _Env, _Budget]:
    env = _env()
    # PyGithub logs each retry to stderr by itself (INFO, its own handler); fixbot's errors say it in one line.
    logging.getLogger("github").setLevel(logging.WARNING)
    budget = _Budget(limits.max_wait)
    gh = Github(
        base_url=env.api_url,
        auth=Auth.Token(env.token),
        retry=_retry(budget, limits),
        timeout=limits.timeout,
        per_page=100,
        seconds_between_requests=limits.request_gap,
        seconds_between_writes=limits.write_gap,
    )
    return gh, env, budget


def _api(what: str, permission: str, fn: Callable[[], T]) -> T:
    """`fn()`, with GitHub's failures turned into one-line ForgeErrors that say what was being done."""
    try:
        return fn()
    except GithubException as exc:
        raise _error(exc, what, permission) from None
    except requests.RequestException as exc:
        raise ForgeError(f"could not {what}: cannot reach GitHub ({_short(exc)})") from None
    except _MALFORMED as exc:
        raise _malformed(exc, what) from None


# What PyGithub raises on an answer that is not the API's JSON: an HTML page or truncated JSON (ValueError), a
# list or a string where an object belongs (TypeError, AttributeError, KeyError, BadAttributeException from
# `_typed` or PyGithub's own attribute checks), a redirect to another host (RuntimeError).
_MALFORMED = (ValueError, TypeError, AttributeError, KeyError, IndexError, RuntimeError, BadAttributeException)


def _malformed(exc: BaseException, what: str) -> ForgeError:
    detail = "a redirect elsewhere" if isinstance(exc, RuntimeError) and "redirect" in str(exc) else type(exc).__name__
    return ForgeError(f"could not {what}: GitHub's answer is not the API's JSON ({detail});"
                      " is GITHUB_API_URL the API's address?")


def _create_once(what: str, budget: _Budget, limits: Limits, *, create: Callable[[], T], find: Callable[[], T | None]) -> T:
    """`create()` something that must exist once: after a failure that may have happened after the write, or a
    422 from a concurrent run, `find()` before trying again."""
    delay = max(limits.backoff, 0.001)
    while True:
        try:
            return create()
        except GithubException as exc:
            failure: Exception = exc
            if exc.status == 422 or not _retryable(exc):
                found = _api(what, "pull-requests: read", find) if exc.status == 422 else None
                if found is not None:
                    return found
                raise _error(exc, what, "pull-requests: write") from None
            wait = spent = _server_wait(exc.headers) or delay
        except requests.RequestException as exc:
            # A timed-out attempt already spent its timeout waiting: that counts against the budget too.
            failure, wait = exc, delay
            spent = delay + (limits.timeout if isinstance(exc, requests.Timeout) else 0)
        except _MALFORMED as exc:
            raise _malformed(exc, what) from None
        if not budget.take(spent):
            if isinstance(failure, GithubException):
                raise _error(failure, what, "pull-requests: write") from None
            raise ForgeError(f"could not {what}: cannot reach GitHub ({_short(failure)})") from None
        time.sleep(wait)
        delay *= 2
        found = _api(what, "pull-requests: read", find)
        if found is not None:
            return found


def _headers(exc: GithubException) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in (exc.headers or {}).items()}


def _message(exc: GithubException) -> str:
    data = exc.data if isinstance(exc.data, dict) else {}
    message = str(data.get("message") or "").strip()
    details = [e.get("message") or f"{e.get('field')} {e.get('code')}"
               for e in data.get("errors") or [] if isinstance(e, dict)]
    return "; ".join(x for x in [message, *map(str, details)] if x)


def _rate_limited(exc: GithubException) -> bool:
    headers = _headers(exc)
    return exc.status == 429 or exc.status == 403 and (
        headers.get("x-ratelimit-remaining") == "0" or "retry-after" in headers
        or Requester.isRateLimitError(_message(exc)))


def _retryable(exc: GithubException) -> bool:
    return exc.status >= 500 or _rate_limited(exc)


def _server_wait(headers: Any) -> float | None:
    """The seconds GitHub asked to wait: Retry-After, or until X-RateLimit-Reset when the limit is spent."""
    headers = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
    if headers.get("retry-after", "").strip().isdigit():
        return float(headers["retry-after"])
    if headers.get("x-ratelimit-remaining") == "0" and headers.get("x-ratelimit-reset", "").isdigit():
        return max(0.0, int(headers["x-ratelimit-reset"]) - time.time()) + 1
    return None


def _error(exc: GithubException, what: str, permission: str) -> ForgeError:
    status, message = exc.status, _message(exc)
    shown = f"{status} {message}".strip()
    if status == 401:
        text = f"GitHub rejected GITHUB_TOKEN ({shown})"
    elif _rate_limited(exc):
        wait = _server_wait(exc.headers)
        when = f"; GitHub asks to wait {wait:.0f}s" if wait else ""
        text = f"rate-limited by GitHub ({status} {message or 'API rate limit exceeded'}{when}), longer than fixbot waits"
    elif status == 403:
        text = (f"the token lacks the `{permission}` permission (GitHub: {message or 'Forbidden'});"
                f" grant `{permission}` in the workflow's `permissions:`")
    elif status == 404:
        text = f"GitHub answered 404 (is GITHUB_REPOSITORY right, and can the token see it? needs `{permission}`)"
    elif status >= 500:
        text = f"GitHub kept failing ({shown})"
    else:
        text = f"GitHub refused it ({shown})"
    return ForgeError(" ".join(redact(f"could not {what}: {text}").split()))


def _short(exc: BaseException) -> str:
    # requests' messages nest urllib3's; the innermost reason is the useful part.
    text = " ".join(str(exc).split())
    m = re.search(r"Caused by \w+\((.*)\)\)?$", text)
    return redact((m.group(1) if m else text)[:300])
