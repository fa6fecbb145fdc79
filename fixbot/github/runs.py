"""Run logs: download a GitHub Actions run's logs as one zip, the run's archive or else one file per job."""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path
from urllib.parse import urljoin

import requests
from github import GithubException

from fixbot.github.client import ForgeError, Limits, _Budget, _env, _Env, _error, _retry, _short


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
