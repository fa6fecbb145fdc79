"""A small GitHub REST API served on 127.0.0.1 for tests: repos, pulls, labels, reviewers, comments, search, run logs.

Responses use GitHub's field names and carry the emulator's own base URL in every `url`/`html_url`, because
PyGithub follows those. State lives in memory; every request is recorded; `fail_next` injects the failures a
real GitHub produces (5xx after the write happened, 429, rate-limit and permission 403s).
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import threading
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

DOCS = "https://docs.github.com/rest"
_NOW = "2026-01-05T10:00:00Z"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]


@dataclass
class _Fault:
    method: str
    path: re.Pattern[str]
    status: int
    headers: dict[str, str]
    message: str | None
    after_effect: bool
    times: int
    garbage: str | None = None


@dataclass
class Run:
    """An Actions run: its logs zip (None: the run-level download is gone, as for expired logs) and its jobs."""

    id: int
    zip: bytes | None = None
    jobs: list[tuple[int, str, str]] = field(default_factory=list)  # (job id, name, log text)


class Reply(Exception):
    """Raised by a handler to answer with an error status and GitHub's error JSON."""

    def __init__(self, status: int, message: str, errors: list | None = None, headers: dict | None = None,
                 documentation_url: str = DOCS):
        super().__init__(message)
        self.status, self.message, self.errors, self.headers = status, message, errors, headers or {}
        self.documentation_url = documentation_url


class GitHubEmulator:
    def __init__(
        self,
        owner: str = "octo",
        repo: str = "app",
        *,
        token: str = "ghs_emulatorToken0000000000000000000",
        git_dir: Path | None = None,
        default_branch: str = "main",
    ) -> None:
        self.owner, self.repo, self.token, self.git_dir = owner, repo, token, git_dir
        self.default_branch = default_branch
        self.collaborators = {"alice", "bob", "carol", "dave"}  # who may be asked for a review
        self.teams = {"backend", "platform", "ops"}
        # Who the token is, as GitHub tells it: an installation token (the Actions GITHUB_TOKEN, a GitHub App's)
        # acts as a bot user and gets 403 from GET /user; a user's token (token_kind "user") reads itself there.
        self.login = "github-actions[bot]"  # the author of the PRs and comments the token makes
        self.token_kind = "installation"
        # The repository's (or its organisation's) "Allow GitHub Actions to create and approve pull requests":
        # off, GitHub answers the Actions token's new pull request with a 403 of its own (not a permission's).
        self.actions_may_open_pulls = True
        self.requests: list[Request] = []
        self.errors: list[str] = []  # the emulator's own crashes; the fixture fails a test that caused one
        self.pulls: dict[int, dict] = {}
        self.comments: dict[int, list[dict]] = {}
        self.runs: dict[int, Run] = {}
        self._faults: list[_Fault] = []
        self._next_number = 1
        self._next_id = 1000
        self._lock = threading.RLock()
        self._current_url = ""  # the request being served, for Link headers
        self._server: ThreadingHTTPServer | None = None

    # --- lifecycle ---------------------------------------------------------------------------------------

    def start(self) -> "GitHubEmulator":
        emulator = self

        class Handler(_Handler):
            pass

        Handler.emulator = emulator
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False  # stop() must not wait for a `slow` answer nobody reads any more
        # A short poll makes stop() quick: shutdown() waits for the serving loop to look.
        threading.Thread(target=self._server.serve_forever, args=(0.02,), name="github-emulator", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def api_url(self) -> str:
        assert self._server is not None, "start() the emulator first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.repo}"

    # --- test controls -----------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int,
        headers: dict[str, str] | None = None,
        *,
        message: str | None = None,
        after_effect: bool = False,
        times: int = 1,
    ) -> None:
        """Answer the next `times` matching requests with `status`; with after_effect, do the request's work first."""
        with self._lock:
            self._faults.append(
                _Fault(method.upper(), re.compile(path_regex), status, dict(headers or {}), message, after_effect, times)
            )

    def garble_next(self, method: str, path_regex: str, kind: str, *, times: int = 1) -> None:
        """Answer the next matching requests with something that is not the API's JSON: `html` (a proxy's or
        GitHub's unicorn page, status 200), `truncated` JSON, `array` where an object belongs, `redirect` (301
        to another host), `slow` (no answer within any sane timeout)."""
        assert kind in ("html", "truncated", "array", "redirect", "slow"), kind
        with self._lock:
            self._faults.append(_Fault(method.upper(), re.compile(path_regex), 200, {}, None, False, times, kind))

    def add_pull(self, head: str, *, body: str = "", state: str = "open", merged: bool = False, title: str = "seeded",
                 base: str | None = None, user: str | None = None, head_repo: str | None = "") -> dict:
        """A PR made by hand (a reviewer's, an earlier run's, a fork's), with no request recorded. `user` opened
        it (default: the token's own login); `head_repo` is where its branch lives (default: this repository,
        None: a fork since deleted)."""
        with self._lock:
            pr = self._create_pull({"title": title, "head": head, "base": base or self.default_branch, "body": body},
                                   check_head=False, head_repo=head_repo)
            pr["user"] = user or self.login
            if state == "closed":
                self.close(pr["number"], merged=merged)
            return pr

    def close(self, number: int, *, merged: bool = False) -> None:
        """What a reviewer does on the website: close the PR, or merge it."""
        with self._lock:
            pr = self.pulls[number]
            pr.update(state="closed", closed_at=_NOW, merged=merged, merged_at=_NOW if merged else None)

    def add_run(self, run_id: int, *, zip_bytes: bytes | None = None, jobs: list[tuple[int, str, str]] = ()) -> None:
        with self._lock:
            self.runs[run_id] = Run(run_id, zip_bytes, list(jobs))

    def calls(self, method: str | None = None, path_regex: str = "") -> list[Request]:
        with self._lock:
            return [r for r in self.requests if (method is None or r.method == method) and re.search(path_regex, r.path)]

    def open_pulls(self) -> list[dict]:
        return [p for p in self.pulls.values() if p["state"] == "open"]

    # --- the API -----------------------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, str], body: Any, headers: dict[str, str]):
        """(status, headers, JSON or bytes) for one request; run under the lock."""
        if path.startswith("/_blobs/"):  # pre-signed download URLs: no Authorization, as on GitHub's blob hosts
            return self._blob(path)
        if path.endswith((".git/info/refs", ".git/git-receive-pack", ".git/git-upload-pack")):
            # Smart-HTTP git as a token without `contents: write` sees it.
            return 403, {"Content-Type": "text/plain"}, f"remote: Permission to {self.full_name}.git denied to {self.login}.\n".encode()
        auth = headers.get("authorization", "")
        if auth not in (f"token {self.token}", f"Bearer {self.token}"):
            raise Reply(401, "Bad credentials")
        fault = self._take_fault(method, path)
        if fault is not None and fault.garbage:
            return self._garbage(fault.garbage, path)
        if fault is not None and not fault.after_effect:
            return self._fault_reply(fault)
        status, extra, payload = self._route(method, path, query, body)
        if fault is not None:
            return self._fault_reply(fault)
        return status, extra, payload

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        for fault in self._faults:
            if fault.method == method and fault.path.search(path):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _garbage(self, kind: str, path: str):
        if kind == "html":
            return 200, {"Content-Type": "text/html; charset=utf-8"}, b"<!DOCTYPE html>\n<html><body>Unicorn! We had issues producing the response to your request.</body></html>\n"
        if kind == "truncated":
            return 200, {"Content-Type": "application/json; charset=utf-8"}, b'{"id": 1296269, "full_name": "octo/a'
        if kind == "array":
            return 200, {}, [{"id": 1, "login": "octo", "full_name": self.full_name}]
        if kind == "slow":
            self._lock.release()  # let other requests through while this one hangs
            try:
                threading.Event().wait(self.slow_seconds)
            finally:
                self._lock.acquire()
            return 200, {}, {}
        return 301, {"Location": f"http://github.invalid{path}"}, b""

    slow_seconds = 5.0

    def _fault_reply(self, fault: _Fault):
        if fault.message is not None:
            message = fault.message
        elif fault.status == 403 and fault.headers.get("X-RateLimit-Remaining") == "0":
            message = "API rate limit exceeded for installation ID 4242."
        elif fault.status == 403 and "Retry-After" in fault.headers:
            message = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
        elif fault.status == 403:
            message = "Resource not accessible by integration"
        elif fault.status == 429:
            message = "Too many requests"
        else:
            message = "Server Error"
        raise Reply(fault.status, message, headers=fault.headers)

    def _route(self, method: str, path: str, query: dict[str, str], body: Any):
        base = f"/repos/{self.owner}/{self.repo}"
        if path == "/search/issues" and method == "GET":
            return 200, {}, self._search(query.get("q", ""))
        if path == "/user" and method == "GET":
            if self.token_kind == "installation":
                raise Reply(403, "Resource not accessible by integration")
            return 200, {}, self._user(self.login)
        if path == "/graphql" and method == "POST":
            return 200, {}, self._graphql(body)
        if not (path == base or path.startswith(base + "/")):
            raise Reply(404, "Not Found")
        rest = path[len(base):]
        routes: list[tuple[str, str, Any]] = [
            ("GET", r"", lambda: self._repo_json()),
            ("GET", r"/pulls", lambda: self._list_pulls(query)),
            ("POST", r"/pulls", lambda: (201, {}, self._pull_json(self._create_pull(_require(body, title=str, head=str, base=str),
                                                                                 by_actions=True)))),
            ("GET", r"/pulls/(\d+)", lambda n: self._pull_json(self._pull(n))),
            ("PATCH", r"/pulls/(\d+)", lambda n: self._pull_json(self._edit_pull(self._pull(n), _require(body)))),
            ("POST", r"/pulls/(\d+)/requested_reviewers", lambda n: (201, {}, self._request_reviews(self._pull(n), body))),
            ("POST", r"/issues/(\d+)/labels", lambda n: self._add_labels(self._pull(n), body)),
            ("GET", r"/issues/(\d+)/labels", lambda n: [_label(name) for name in self._pull(n)["labels"]]),
            ("POST", r"/issues/(\d+)/comments", lambda n: (201, {}, self._comment(self._pull(n), _require(body, body=str)))),
            ("GET", r"/issues/(\d+)/comments", lambda n: self._page(self.comments.get(int(n), []), query)),
            ("GET", r"/actions/runs/(\d+)", lambda i: self._run_json(self._run(i))),
            ("GET", r"/actions/runs/(\d+)/logs", lambda i: self._run_logs(self._run(i))),
            ("GET", r"/actions/runs/(\d+)/jobs", lambda i: self._jobs(self._run(i), query)),
            ("GET", r"/actions/jobs/(\d+)/logs", lambda i: self._job_logs(int(i))),
        ]
        for verb, pattern, fn in routes:
            m = re.fullmatch(pattern, rest)
            if m:
                if verb != method:
                    continue
                out = fn(*m.groups())
                return out if isinstance(out, tuple) else (200, {}, out)
        raise Reply(404, "Not Found")

    # --- repository and pulls --------------------------------------------------------------------------

    def _repo_json(self) -> dict:
        url = f"{self.api_url}/repos/{self.full_name}"
        return {
            "id": 1296269, "node_id": "R_kgDOemul", "name": self.repo, "full_name": self.full_name,
            "owner": self._user(self.owner, kind="Organization"), "private": False,
            "html_url": f"{self.api_url}/{self.full_name}", "description": None, "fork": False,
            "url": url, "pulls_url": f"{url}/pulls{{/number}}", "issues_url": f"{url}/issues{{/number}}",
            "git_url": f"git://127.0.0.1/{self.full_name}.git", "clone_url": f"{self.api_url}/{self.full_name}.git",
            "default_branch": self.default_branch, "visibility": "public", "archived": False, "disabled": False,
            "created_at": _NOW, "updated_at": _NOW, "pushed_at": _NOW,
            "permissions": {"admin": False, "maintain": False, "push": True, "triage": True, "pull": True},
        }

    def _graphql(self, body: Any) -> dict:
        query = str(_require(body).get("query") or "")
        if not re.fullmatch(r"\s*(query\s*)?\{\s*viewer\s*\{\s*login\s+__typename\s*\}\s*\}\s*", query):
            return {"errors": [{"message": f"the emulator answers only the viewer query, not {query!r}"}]}
        kind = "Bot" if self.token_kind == "installation" else "User"
        return {"data": {"viewer": {"login": self.login, "__typename": kind}}}

    def _user(self, login: str, kind: str = "User") -> dict:
        return {
            "login": login, "id": abs(hash(login)) % 10**7, "node_id": f"U_{login}", "type": kind, "site_admin": False,
            "url": f"{self.api_url}/users/{login}", "html_url": f"{self.api_url}/{login}",
            "avatar_url": f"{self.api_url}/avatars/{login}",
        }

    def _actor(self, login: str) -> dict:
        return self._user(login, kind="Bot" if login.endswith("[bot]") else "User")

    def _branch_sha(self, branch: str) -> str | None:
        if self.git_dir is None:
            return "0" * 40
        out = subprocess.run(["git", "--git-dir", str(self.git_dir), "rev-parse", "--verify", "-q", f"refs/heads/{branch}"],
                             capture_output=True, text=True)
        return out.stdout.strip() or None

    def _head_ref(self, head: str) -> str:
        owner, sep, ref = head.partition(":")
        if sep and owner != self.owner:
            raise Reply(422, "Validation Failed", [{"resource": "PullRequest", "field": "head", "code": "invalid"}])
        return ref if sep else head

    def _create_pull(self, body: dict, *, check_head: bool = True, head_repo: str | None = "",
                     by_actions: bool = False) -> dict:
        if by_actions and not self.actions_may_open_pulls and self.login == "github-actions[bot]":
            # As GitHub answers it (seen in public issue threads: peter-evans/create-pull-request#3979,
            # danielroe/uppt#11), before it looks at the head or the base.
            raise Reply(403, "GitHub Actions is not permitted to create or approve pull requests.",
                        documentation_url="https://docs.github.com/rest/pulls/pulls#create-a-pull-request")
        ref = self._head_ref(body["head"])
        head_repo = self.full_name if head_repo == "" else head_repo
        if check_head and self._branch_sha(ref) is None:
            raise Reply(422, "Validation Failed", [{"resource": "PullRequest", "field": "head", "code": "invalid"}])
        if check_head and self._branch_sha(body["base"]) is None:
            raise Reply(422, "Validation Failed", [{"resource": "PullRequest", "field": "base", "code": "invalid"}])
        for pr in self.pulls.values():
            if (pr["state"] == "open" and pr["head"]["ref"] == ref and pr["head_repo"] == head_repo
                    and pr["base"]["ref"] == body["base"]):
                raise Reply(422, "Validation Failed", [{"resource": "PullRequest", "code": "custom",
                            "message": f"A pull request already exists for {self.owner}:{ref}."}])
        number = self._next_number
        self._next_number += 1
        self._next_id += 1
        pr = {
            "number": number, "id": self._next_id, "title": body["title"], "body": body.get("body") or None,
            "state": "open", "merged": False, "merged_at": None, "closed_at": None, "draft": bool(body.get("draft")),
            "head": {"ref": ref, "sha": self._branch_sha(ref) or "0" * 40}, "base": {"ref": body["base"]},
            "head_repo": head_repo,
            "labels": [], "requested_reviewers": [], "requested_teams": [], "user": self.login,
            "maintainer_can_modify": bool(body.get("maintainer_can_modify", True)),
        }
        self.pulls[number] = pr
        self.comments[number] = []
        return pr

    def _pull(self, number: str | int) -> dict:
        pr = self.pulls.get(int(number))
        if pr is None:
            raise Reply(404, "Not Found")
        return pr

    def _edit_pull(self, pr: dict, body: dict) -> dict:
        for key, kind in (("title", str), ("body", str), ("state", str), ("base", str)):
            if key in body and not isinstance(body[key], kind):
                raise Reply(422, "Validation Failed", [{"resource": "PullRequest", "field": key, "code": "invalid"}])
        if body.get("state") not in (None, "open", "closed"):
            raise Reply(422, "Validation Failed", [{"resource": "PullRequest", "field": "state", "code": "invalid"}])
        if body.get("state") == "open" and pr["state"] == "closed":
            if pr["merged"]:
                raise Reply(422, "Validation Failed", [{"resource": "PullRequest", "code": "custom",
                            "message": "state cannot be changed. The pull request has been merged."}])
            if pr["head_repo"] == self.full_name and self._branch_sha(pr["head"]["ref"]) is None:
                raise Reply(422, "Validation Failed", [{"resource": "PullRequest", "code": "custom",
                            "message": f"state cannot be changed. The {pr['head']['ref']} branch has been deleted."}])
            pr.update(closed_at=None)
        if body.get("state") == "closed":
            pr["closed_at"] = _NOW
        for key in ("title", "body", "state"):
            if key in body:
                pr[key] = body[key]
        if "base" in body:
            pr["base"] = {"ref": body["base"]}
        return pr

    def _request_reviews(self, pr: dict, body: Any) -> dict:
        body = _require(body)
        users, teams = body.get("reviewers", []), body.get("team_reviewers", [])
        if not all(isinstance(x, str) for x in [*users, *teams]) or not (users or teams):
            raise Reply(422, "Validation Failed", [{"resource": "PullRequest", "field": "reviewers", "code": "invalid"}])
        if any(u not in self.collaborators for u in users) or any(t not in self.teams for t in teams):
            raise Reply(422, "Reviews may only be requested from collaborators. One or more of the users or teams you "
                             f"specified is not a collaborator of the {self.full_name} repository.")
        pr["requested_reviewers"] = sorted({*pr["requested_reviewers"], *users})
        pr["requested_teams"] = sorted({*pr["requested_teams"], *teams})
        return self._pull_json(pr)

    def _add_labels(self, pr: dict, body: Any) -> list[dict]:
        # GitHub takes a bare list of names (what PyGithub sends) or {"labels": [...]}.
        names = body.get("labels") if isinstance(body, dict) else body
        if not isinstance(names, list) or not names or not all(isinstance(n, str) and 0 < len(n) <= 50 for n in names):
            raise Reply(422, "Validation Failed", [{"resource": "Label", "field": "name", "code": "invalid"}])
        for name in names:
            if name not in pr["labels"]:
                pr["labels"].append(name)
        return [_label(name) for name in pr["labels"]]

    def _comment(self, pr: dict, body: dict) -> dict:
        self._next_id += 1
        url = f"{self.api_url}/repos/{self.full_name}/issues/comments/{self._next_id}"
        comment = {
            "id": self._next_id, "node_id": f"IC_{self._next_id}", "url": url,
            "html_url": f"{self.api_url}/{self.full_name}/pull/{pr['number']}#issuecomment-{self._next_id}",
            "issue_url": f"{self.api_url}/repos/{self.full_name}/issues/{pr['number']}",
            "body": body["body"], "user": self._actor(self.login), "author_association": "NONE",
            "created_at": _NOW, "updated_at": _NOW,
        }
        self.comments[pr["number"]].append(comment)
        return comment

    def _list_pulls(self, query: dict[str, str]):
        state = query.get("state", "open")
        if state not in ("open", "closed", "all"):
            raise Reply(422, "Validation Failed", [{"resource": "PullRequest", "field": "state", "code": "invalid"}])
        found = [p for p in self.pulls.values() if state == "all" or p["state"] == state]
        if "head" in query:
            owner, _, ref = query["head"].partition(":")
            # GitHub wants user:ref-name; a bare branch name is silently ignored as a filter there, so refuse it here.
            if not ref:
                raise Reply(422, "Validation Failed", [{"resource": "PullRequest", "field": "head", "code": "invalid"}])
            # The owner matches the head repository's owner: a fork the same owner made is listed too.
            found = [p for p in found if p["head"]["ref"] == ref and (p["head_repo"] or "").split("/")[0] == owner]
        if "base" in query:
            found = [p for p in found if p["base"]["ref"] == query["base"]]
        found.sort(key=lambda p: -p["number"])  # newest first, as GitHub sorts by created desc
        return self._page([self._pull_json(p, simple=True) for p in found], query)

    def _page(self, items: list, query: dict[str, str], key: str | None = None, path: str | None = None):
        per_page = min(int(query.get("per_page", 30)), 100)
        page = int(query.get("page", 1))
        chunk = items[(page - 1) * per_page: page * per_page]
        headers = {}
        if page * per_page < len(items):
            # PyGithub follows rel="next"; only the page number changes.
            current = self._current_url
            nxt = re.sub(r"([?&])page=\d+", rf"\1page={page + 1}", current) if "page=" in current else (
                current + ("&" if "?" in current else "?") + f"page={page + 1}")
            headers["Link"] = f'<{nxt}>; rel="next"'
        payload = {"total_count": len(items), key: chunk} if key else chunk
        return 200, headers, payload

    # Lists return GitHub's "pull-request-simple": no merge state, no counts. PyGithub fetches the PR for those.
    _NOT_IN_SIMPLE = ("merged", "mergeable", "rebaseable", "mergeable_state", "merged_by", "comments",
                      "review_comments", "maintainer_can_modify", "commits", "additions", "deletions", "changed_files")

    def _pull_json(self, pr: dict, *, simple: bool = False) -> dict:
        repo_url = f"{self.api_url}/repos/{self.full_name}"
        url = f"{repo_url}/pulls/{pr['number']}"
        issue_url = f"{repo_url}/issues/{pr['number']}"
        html = f"{self.api_url}/{self.full_name}/pull/{pr['number']}"
        repo = self._repo_json()
        owner = self._user(self.owner, kind="Organization")
        fork = pr["head_repo"] != self.full_name
        head_sha = (None if fork else self._branch_sha(pr["head"]["ref"])) or pr["head"]["sha"]
        head_repo = None if pr["head_repo"] is None else {
            **repo, "full_name": pr["head_repo"], "name": pr["head_repo"].split("/")[1], "fork": fork,
            "owner": self._user(pr["head_repo"].split("/")[0])}
        head_owner = head_repo["owner"] if head_repo else None
        data = {
            "url": url, "id": pr["id"], "node_id": f"PR_{pr['id']}", "html_url": html,
            "diff_url": f"{html}.diff", "patch_url": f"{html}.patch", "issue_url": issue_url,
            "commits_url": f"{url}/commits", "review_comments_url": f"{url}/comments",
            "review_comment_url": f"{repo_url}/pulls/comments{{/number}}", "comments_url": f"{issue_url}/comments",
            "statuses_url": f"{repo_url}/statuses/{head_sha}", "number": pr["number"], "state": pr["state"],
            "locked": False, "title": pr["title"], "user": self._actor(pr["user"]), "body": pr["body"],
            "labels": [_label(n) for n in pr["labels"]], "milestone": None, "active_lock_reason": None,
            "created_at": _NOW, "updated_at": _NOW, "closed_at": pr["closed_at"], "merged_at": pr["merged_at"],
            "merge_commit_sha": None, "assignee": None, "assignees": [],
            "requested_reviewers": [self._user(u) for u in pr["requested_reviewers"]],
            "requested_teams": [{"id": abs(hash(t)) % 10**6, "slug": t, "name": t,
                                 "url": f"{self.api_url}/teams/{t}"} for t in pr["requested_teams"]],
            "head": {"label": f"{(pr['head_repo'] or 'unknown/x').split('/')[0]}:{pr['head']['ref']}",
                     "ref": pr["head"]["ref"], "sha": head_sha, "user": head_owner, "repo": head_repo},
            "base": {"label": f"{self.owner}:{pr['base']['ref']}", "ref": pr["base"]["ref"],
                     "sha": self._branch_sha(pr["base"]["ref"]) or "0" * 40, "user": owner, "repo": repo},
            "_links": {"self": {"href": url}, "html": {"href": html}, "issue": {"href": issue_url}},
            "author_association": "NONE", "auto_merge": None, "draft": pr["draft"], "merged": pr["merged"],
            "mergeable": None, "rebaseable": None, "mergeable_state": "unknown", "merged_by": None, "comments": len(self.comments.get(pr["number"], [])),
            "review_comments": 0, "maintainer_can_modify": pr["maintainer_can_modify"], "commits": 1,
            "additions": 1, "deletions": 1, "changed_files": 1,
        }
        for key in self._NOT_IN_SIMPLE if simple else ():
            del data[key]
        return data

    def _search(self, q: str) -> dict:
        phrases = re.findall(r'"([^"]*)"', q)
        words = re.sub(r'"[^"]*"', " ", q).split()
        if f"repo:{self.full_name}" not in words:
            raise Reply(422, "Validation Failed", [{"resource": "Search", "field": "q", "code": "invalid"}])
        found = []
        for pr in sorted(self.pulls.values(), key=lambda p: -p["number"]):
            if "is:open" in words and pr["state"] != "open" or "is:closed" in words and pr["state"] != "closed":
                continue
            if all(phrase in (pr["body"] or "") for phrase in phrases):
                data = self._pull_json(pr)
                found.append({
                    "url": data["issue_url"], "repository_url": f"{self.api_url}/repos/{self.full_name}",
                    "html_url": data["html_url"], "id": pr["id"], "node_id": f"I_{pr['id']}", "number": pr["number"],
                    "title": pr["title"], "state": pr["state"], "body": pr["body"], "user": data["user"],
                    "labels": data["labels"], "comments": data["comments"], "created_at": _NOW, "updated_at": _NOW,
                    "closed_at": pr["closed_at"], "score": 1.0, "draft": pr["draft"],
                    "pull_request": {"url": data["url"], "html_url": data["html_url"], "diff_url": data["diff_url"],
                                     "patch_url": data["patch_url"], "merged_at": pr["merged_at"]},
                })
        return {"total_count": len(found), "incomplete_results": False, "items": found}

    # --- Actions run logs --------------------------------------------------------------------------------

    def _run(self, run_id: str) -> Run:
        run = self.runs.get(int(run_id))
        if run is None:
            raise Reply(404, "Not Found")
        return run

    def _run_json(self, run: Run) -> dict:
        url = f"{self.api_url}/repos/{self.full_name}/actions/runs/{run.id}"
        return {
            "id": run.id, "name": "deploy", "node_id": f"WFR_{run.id}", "head_branch": self.default_branch,
            "head_sha": "0" * 40, "run_number": 7, "run_attempt": 1, "event": "push", "status": "completed",
            "conclusion": "failure", "workflow_id": 161335, "url": url,
            "html_url": f"{self.api_url}/{self.full_name}/actions/runs/{run.id}", "jobs_url": f"{url}/jobs",
            "logs_url": f"{url}/logs", "created_at": _NOW, "updated_at": _NOW,
        }

    def _run_logs(self, run: Run):
        if run.zip is None:
            raise Reply(410, "Gone")  # the run-level archive is no longer there (expired logs)
        return 302, {"Location": f"{self.api_url}/_blobs/run-{run.id}.zip"}, b""

    def _jobs(self, run: Run, query: dict[str, str]):
        url = f"{self.api_url}/repos/{self.full_name}/actions/jobs"
        jobs = [{"id": jid, "run_id": run.id, "name": name, "status": "completed", "conclusion": "failure",
                 "url": f"{url}/{jid}", "html_url": f"{self.api_url}/{self.full_name}/actions/runs/{run.id}/job/{jid}",
                 "run_url": f"{self.api_url}/repos/{self.full_name}/actions/runs/{run.id}", "head_sha": "0" * 40,
                 "started_at": _NOW, "completed_at": _NOW, "steps": [], "labels": ["ubuntu-latest"]}
                for jid, name, _ in run.jobs]
        return self._page(jobs, query, key="jobs")

    def _job_logs(self, job_id: int):
        if not any(jid == job_id for run in self.runs.values() for jid, _, _ in run.jobs):
            raise Reply(404, "Not Found")
        return 302, {"Location": f"{self.api_url}/_blobs/job-{job_id}.txt"}, b""

    def _blob(self, path: str):
        name = path.removeprefix("/_blobs/")
        m = re.fullmatch(r"run-(\d+)\.zip", name)
        if m and int(m[1]) in self.runs and self.runs[int(m[1])].zip is not None:
            return 200, {"Content-Type": "application/zip"}, self.runs[int(m[1])].zip
        m = re.fullmatch(r"job-(\d+)\.txt", name)
        for run in self.runs.values():
            for jid, _, text in run.jobs:
                if m and jid == int(m[1]):
                    return 200, {"Content-Type": "text/plain"}, text.encode()
        return 404, {"Content-Type": "application/xml"}, b"<Error><Code>BlobNotFound</Code></Error>"


def _label(name: str) -> dict:
    return {"id": abs(hash(name)) % 10**7, "node_id": f"LA_{name}", "url": f"/labels/{name}", "name": name,
            "color": "ededed", "default": False, "description": None}


def _require(body: Any, /, **fields: type) -> dict:
    """GitHub's 422 for a body that is not an object or lacks a required field of the right type."""
    if not isinstance(body, dict):
        raise Reply(400, "Problems parsing JSON")
    for name, kind in fields.items():
        if not isinstance(body.get(name), kind):
            raise Reply(422, "Validation Failed", [{"resource": "PullRequest", "field": name, "code": "missing_field"}])
    return body


def make_zip(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


class _Handler(BaseHTTPRequestHandler):
    emulator: GitHubEmulator
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep pytest output clean
        pass

    def _serve(self) -> None:
        split = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        em = self.emulator
        with em._lock:
            em._current_url = f"{em.api_url}{self.path}"
            em.requests.append(Request(self.command, split.path, query, body, headers))
            try:
                if isinstance(body, bytes):
                    raise Reply(400, "Problems parsing JSON")
                status, extra, payload = em.handle(self.command, split.path, query, body, headers)
            except Reply as reply:
                status, extra = reply.status, reply.headers
                payload = {"message": reply.message, "documentation_url": reply.documentation_url,
                           "status": str(reply.status)}
                if reply.errors:
                    payload["errors"] = reply.errors
            except Exception as exc:  # a bug in the emulator: answer, and let the fixture fail the test
                em.errors.append(f"{self.command} {split.path}: {type(exc).__name__}: {exc}")
                status, extra, payload = 500, {}, {"message": "emulator bug", "documentation_url": DOCS}
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        if not isinstance(payload, bytes):
            self.send_header("Content-Type", "application/json; charset=utf-8")
        for key, value in extra.items():
            self.send_header(key, value)
        self.send_header("X-GitHub-Api-Version-Selected", "2022-11-28")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _serve
