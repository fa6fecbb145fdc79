"""The GitHub client: the environment it reads, the connection, retries within a time budget, and every failure
(a garbage answer included) turned into a one-line ForgeError that says what was being done."""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from github import Auth, Github, GithubException
from github.GithubException import BadAttributeException
from github.GithubRetry import GithubRetry
from github.Requester import Requester
from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.exceptions import TimeoutError as _Timeout

from fixbot.errors import FixbotError
from fixbot.redact import redact

DEFAULT_API_URL = "https://api.github.com"

T = TypeVar("T")


class ForgeError(FixbotError):
    """GitHub or the push refused fixbot; the message says what to change (a permission, a variable)."""


class ActionsMayNotOpenPulls(ForgeError):
    """GitHub's 403 for a pull request the Actions GITHUB_TOKEN opens where the repository (or its organisation)
    does not allow it: a setting, not the workflow's `pull-requests: write`."""


# GitHub's message for it (REST: "GitHub Actions is not permitted to create or approve pull requests."; the
# GraphQL createPullRequest mutation says the same).
_ACTIONS_MAY_NOT = re.compile(r"(?i)GitHub Actions is not permitted to create or approve pull requests")


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


def _typed(value: Any, kind: type[T]) -> T:
    """`value` if GitHub sent the type its API documents; TypeError (a malformed answer, see `_api`) otherwise."""
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")
    return value


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
    elif status == 403 and _ACTIONS_MAY_NOT.search(message):
        return ActionsMayNotOpenPulls(" ".join(redact(
            f"could not {what}: GitHub Actions may not open pull requests here (GitHub: {message}): a repository"
            " admin turns on \"Allow GitHub Actions to create and approve pull requests\" in the repository's"
            " Settings > Actions > General > Workflow permissions (greyed out there: the organisation's own"
            " Settings > Actions > General turns it off for all its repositories); the workflow's"
            " `pull-requests: write` is not what is missing").split()))
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
