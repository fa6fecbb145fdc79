"""`url:URL`: a log served over HTTP, such as a boot monitor's `/logs/backend`, as plain text or server-sent events.

`FIXBOT_LOG_TOKEN`, when set, goes as `Authorization: Bearer` to the URL's own host (scheme, host and port) and
nowhere else; redirects are followed within that host only. A web page (a login form, a dashboard) or a JSON
document is refused in one line: neither is a log, and reading one as lines would find nothing and say so vaguely.
"""

from __future__ import annotations

from typing import Iterator

from fixbot.sources import Source, SourceError, _http

_ACCEPT = "text/event-stream, text/plain;q=0.9, */*;q=0.1"


class Url(Source):
    target = "URL"
    pattern = r"(?i)https?://[^\s/]+(?:/\S*)?"
    secret = "FIXBOT_LOG_TOKEN"

    def chunks(self) -> Iterator[bytes]:
        what = str(self)
        reply = _http.request(self, self.value, what=what, headers={"Accept": _ACCEPT},
                              token_origin=_http.origin(self.value), stream=True)
        kind = reply.headers.get("Content-Type", "").split(";")[0].strip().lower()
        blocks = _http.body(reply)
        first = next(blocks, b"")
        if _http.is_html(kind, first):
            reply.close()
            raise SourceError(f"{what}: {_http.host(self.value)} answered with an HTML page, not a log (a login or"
                              f" error page? check the URL{' and FIXBOT_LOG_TOKEN' if self.token else ''})")
        if kind.endswith("json"):
            reply.close()
            raise SourceError(f"{what}: {_http.host(self.value)} answered with a JSON document ({kind}), not a log"
                              " in plain text or an event stream")

        def again() -> Iterator[bytes]:
            yield first
            yield from blocks

        if kind == "text/event-stream":
            yield from _http.sse_data(again(), self.bounds.max_bytes)
        else:
            yield from again()
