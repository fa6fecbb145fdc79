"""`hf-space:OWNER/NAME`: a Hugging Face Space's failed build or crashed app, through `huggingface_hub`.

The maintained client (it honours `HF_ENDPOINT`, and `HF_TOKEN` or the token `hf auth login` saved) reads the
Space's runtime: its `stage` and `errorMessage`. `BUILD_ERROR` sends fixbot to the build log, any other result to
the run log (both server-sent events, read by `HfApi.fetch_space_logs` without following, so it ends where the
Hub's buffer does). `BUILDING`, `APP_STARTING` and the other intermediate stages are not results: nothing has failed
yet, and `fixbot watch` polls the stage until there is one.
"""

from __future__ import annotations

from typing import Iterator

from fixbot.sources import Source, SourceError, State

_INTERMEDIATE = {"BUILDING", "RUNNING_BUILDING", "APP_STARTING", "RUNNING_APP_STARTING"}
_FAILED = {"BUILD_ERROR", "RUNTIME_ERROR", "CONFIG_ERROR", "NO_APP_FILE"}


class HfSpace(Source):
    target = "OWNER/NAME"
    pattern = r"[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95}"
    endpoint = ("HF_ENDPOINT", "https://huggingface.co")
    secret = "HF_TOKEN"
    watches = "the Space's runtime stage"

    def _api(self):
        from huggingface_hub import HfApi

        return HfApi(endpoint=self.base_url, token=self.token)

    def _runtime(self) -> tuple[str, str]:
        """(stage, the first line of errorMessage)."""
        try:
            runtime = self._api().get_space_runtime(self.value)
        except Exception as err:
            raise _refusal(self, err) from None
        raw = runtime.raw if isinstance(runtime.raw, dict) else {}
        message = raw.get("errorMessage") if isinstance(raw.get("errorMessage"), str) else ""
        return str(getattr(runtime.stage, "value", runtime.stage) or "unknown"), " ".join(message.split())[:300]

    def chunks(self) -> Iterator[bytes]:
        stage, message = self._runtime()
        if stage in _INTERMEDIATE:
            raise SourceError(f"{self}: the Space is {stage}: a build or start under way is not a result; `fixbot"
                              f" watch --from {self}` waits for one")
        build = stage == "BUILD_ERROR"
        self.notes.append(f"{self} is {stage}{f' ({message})' if message else ''}: reading its"
                          f" {'build' if build else 'run'} log")
        try:
            for line in self._api().fetch_space_logs(self.value, build=build, follow=False):
                yield (line if line.endswith("\n") else line + "\n").encode("utf-8", "surrogateescape")
        except SourceError:
            raise
        except Exception as err:
            raise _refusal(self, err) from None

    def state(self) -> State:
        stage, message = self._runtime()
        detail = f"{stage} ({message})" if message and stage in _FAILED else stage
        if stage in _INTERMEDIATE:
            return State("pending", detail)
        if stage == "RUNNING":
            return State("running", detail)
        return State("failed" if stage in _FAILED else "other", detail)


def _refusal(source: HfSpace, err: Exception) -> SourceError:
    """One line for what huggingface_hub raised: the Hub's answer, or why it could not be reached."""
    from huggingface_hub.errors import HfHubHTTPError

    from fixbot.sources._http import host, retry_after

    where = host(source.base_url)
    if isinstance(err, HfHubHTTPError) and getattr(err, "response", None) is not None:
        code = err.response.status_code
        said = (err.response.headers.get("X-Error-Message") or "").strip()
        said = f": {said}" if said else ""
        if code in (401, 403):
            if not source.token:
                return SourceError(f"{source}: {where} wants a token (HTTP {code}){said}; set HF_TOKEN")
            return SourceError(f"{source}: {where} refused the token (HTTP {code}){said}; check HF_TOKEN")
        if code == 404:
            return SourceError(f"{source}: no such Space on {where} (HTTP 404){said}, or HF_TOKEN may not read it")
        if code == 429:
            wait = retry_after(err.response.headers.get("Retry-After"))
            return SourceError(f"{source}: {where} is rate limiting fixbot (HTTP 429)"
                               f"{f'; retry after {wait:g} s' if wait is not None else ''}")
        return SourceError(f"{source}: {where} answered HTTP {code}{said}")
    if isinstance(err, ValueError):  # the body was not JSON: a proxy's or a portal's HTML page
        return SourceError(f"{source}: {where} answered with something that is not the Hub's JSON (an HTML page?"
                           " check HF_ENDPOINT)")
    name = type(err).__name__
    if type(err).__module__.split(".")[0] in ("httpx", "httpx2", "httpcore", "httpcore2"):
        if "Timeout" in name:
            return SourceError(f"{source}: {where} did not answer within {source.bounds.timeout:g} s")
        return SourceError(f"{source}: cannot reach {where} ({name})")
    raise err
