"""`github-run:ID`: the logs of a failed GitHub Actions run (what `--run-id ID` reads; the option stays as an alias).

The run's archive (or one log per job) is downloaded as a zip by `fixbot/github/runs.py`, with its own limits for
GitHub's API (retries, the pre-signed download without the token, 256 MiB), and read as `logs.open_sources` reads
any run zip: each job's log a stream of its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, Iterator

from fixbot.sources import Source


class GithubRun(Source):
    target = "RUN_ID"
    pattern = r"\S+"  # download_run_logs says what a run id must be
    endpoint = ("GITHUB_API_URL", "https://api.github.com")
    secret = "GITHUB_TOKEN"

    def open(self, scratch: Path) -> Iterator[tuple[str | None, BinaryIO]]:
        from fixbot import logs
        from fixbot.github.runs import download_run_logs

        yield from logs.open_sources(str(download_run_logs(self.value, scratch)))

    def web_url(self) -> str | None:
        """The run's page, for the pull request's body."""
        repository = self.env.get("GITHUB_REPOSITORY")
        if not repository:
            return None
        server = self.env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
        return f"{server}/{repository}/actions/runs/{self.value}"
