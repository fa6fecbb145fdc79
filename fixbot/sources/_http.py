"""HTTP for the sources that speak to a platform themselves: the token to its own host only, redirects within that
host, 429's Retry-After honoured within the bound, every refusal one line, bodies read as they arrive."""

from __future__ import annotations

import email.utils
import json
import time
from typing import Any, Iterator, Mapping
from urllib.parse import urljoin, urlsplit

from fixbot.sources import Source, SourceError

BLOCK = 64 * 1024
MAX_JSON = 8 << 20  # no platform answer about one app is near this; an endless one must end
_REDIRECTS = 5
_RETRIES = 2  # answers of 429 waited out, each within the fetch's bound


def origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower().rsplit("@", 1)[-1]


def host(url: str) -> str:
    return urlsplit(url).netloc.rsplit("@", 1)[-1] or url


def authorization(token: str) -> str:
    """Bearer, unless the token names its own scheme (Fly's `FlyV1 fm2_…`)."""
    return token if " " in token else f"Bearer {token}"


def request(source: Source, url: str, *, what: str, method: str = "GET", headers: Mapping[str, str] | None = None,
            body: Any = None, token_origin: tuple[str, str] | None = None, anonymous: bool = False,
            stream: bool = False, ok: tuple[int, ...] = (200,)) -> Any:
    """The response to `method url`, its status in `ok`, else SourceError naming `what`.

    The source's token goes only to `token_origin` (default: the source's endpoint); a redirect is followed only
    within the origin it was sent to, where it keeps the token; a 429 is waited out when its Retry-After ends
    within the bound. `anonymous`: no token at all (a pre-signed URL the platform handed out)."""
    import requests

    if token_origin is None and source.endpoint is not None:
        token_origin = origin(source.base_url)
    session = requests.Session()
    attempts = 0
    try:
        for _ in range(_REDIRECTS + 1):
            sent = dict(headers or {})
            if source.token and not anonymous and token_origin is not None and origin(url) == token_origin:
                sent["Authorization"] = authorization(source.token)
            try:
                reply = session.request(method, url, headers=sent, json=body, allow_redirects=False, stream=True,
                                        timeout=source.bounds.timeout)
            except requests.Timeout:
                raise SourceError(f"{what}: {host(url)} did not answer within {source.bounds.timeout:g} s") from None
            except requests.RequestException as err:
                raise SourceError(f"{what}: cannot reach {host(url)} ({_short(err)})") from None
            if reply.is_redirect:
                target = urljoin(url, reply.headers.get("Location", ""))
                reply.close()
                if origin(target) != origin(url):
                    raise SourceError(f"{what}: {host(url)} redirects to another host ({host(target)}); fixbot"
                                      " follows redirects within the host it was given only")
                url = target
                continue
            if reply.status_code == 429 and attempts < _RETRIES:
                wait = retry_after(reply.headers.get("Retry-After"))
                if wait is not None and wait < source.bounds.timeout / 2:
                    reply.close()
                    attempts += 1
                    time.sleep(wait)
                    continue
            if reply.status_code not in ok:
                raise refusal(source, reply, what)
            if not stream:
                result = _json(reply, what)
                session.close()
                return result
            return reply
        raise SourceError(f"{what}: more than {_REDIRECTS} redirects")
    except BaseException:
        session.close()
        raise


def refusal(source: Source, reply: Any, what: str) -> SourceError:
    """One line for an answer that is not the log: who refused, why, and what to change."""
    code, where = reply.status_code, host(reply.url)
    said = _message(reply)
    said = f": {said}" if said else ""
    reply.close()
    if code in (401, 403):
        if source.secret and not source.token:
            return SourceError(f"{what}: {where} wants a token (HTTP {code}){said}; set {source.secret}")
        hint = f"; check {source.secret}" if source.secret else ""
        return SourceError(f"{what}: {where} refused the token (HTTP {code}){said}{hint}")
    if code == 404:
        return SourceError(f"{what}: not found on {where} (HTTP 404){said}")
    if code == 429:
        wait = retry_after(reply.headers.get("Retry-After"))
        later = f"; retry after {wait:g} s" if wait is not None else ""
        return SourceError(f"{what}: {where} is rate limiting fixbot (HTTP 429){said}{later}")
    return SourceError(f"{what}: {where} answered HTTP {code}{said}")


def retry_after(value: str | None) -> float | None:
    """Seconds a Retry-After header asks for: a number, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _message(reply: Any) -> str:
    """The platform's own reason, from a JSON error body (`message`, `error`), in one short line."""
    if "json" not in reply.headers.get("Content-Type", ""):
        return ""
    try:
        payload = json.loads(_read(reply, 64 * 1024))
    except (ValueError, SourceError):
        return ""
    said = payload.get("message") or payload.get("error") if isinstance(payload, dict) else None
    if isinstance(said, dict):
        said = said.get("message")
    return " ".join(str(said).split())[:200] if isinstance(said, str) else ""


def _read(reply: Any, most: int) -> bytes:
    data = bytearray()
    for block in body(reply):
        data += block
        if len(data) > most:
            reply.close()
            raise SourceError(f"{host(reply.url)} sent more than {most >> 20} MiB where a short answer was due")
    return bytes(data)


def _json(reply: Any, what: str) -> Any:
    kind = reply.headers.get("Content-Type", "")
    data = _read(reply, MAX_JSON)
    reply.close()
    if is_html(kind, data):
        raise SourceError(f"{what}: {host(reply.url)} answered with an HTML page, not the platform's JSON (is the"
                          " API URL right?)")
    try:
        return json.loads(data)
    except ValueError:
        raise SourceError(f"{what}: {host(reply.url)} answered with something that is not JSON") from None


def is_html(content_type: str, head: bytes) -> bool:
    """A web page (a login page, a dashboard, an error page) rather than a log or an API's answer."""
    if "html" in content_type.lower():
        return True
    start = head.lstrip()[:15].lower()
    return start.startswith((b"<!doctype html", b"<html"))


def body(reply: Any) -> Iterator[bytes]:
    """The body's bytes as they arrive: read1 returns what the socket has, where read(n) would wait for n bytes
    of a stream that sends a line a second."""
    raw = reply.raw
    read = getattr(raw, "read1", None) or raw.read
    import requests

    try:
        while True:
            block = read(BLOCK, decode_content=True)
            if not block:
                return
            yield block
    except (requests.RequestException, OSError, ValueError) as err:
        raise SourceError(f"{host(reply.url)}: the answer broke off ({_short(err)})") from None
    except Exception as err:  # urllib3's own errors (a truncated chunk, a reset) have no common base with OSError
        if type(err).__module__.startswith("urllib3"):
            raise SourceError(f"{host(reply.url)}: the answer broke off ({_short(err)})") from None
        raise


def _short(err: BaseException) -> str:
    text = str(err)
    for reason in ("Connection refused", "Name or service not known", "timed out", "Connection reset",
                   "certificate verify failed", "No route to host"):
        if reason in text:
            return reason
    return type(err).__name__


def sse_data(blocks: Iterator[bytes], limit: int) -> Iterator[bytes]:
    """The data of each event of a text/event-stream (the HTML standard's framing), one line of log each:
    `data:` fields joined by newlines, comments and keep-alives skipped, `event:`/`id:`/`retry:` ignored."""
    buffer = b""
    data: list[bytes] = []
    for block in blocks:
        buffer += block
        if len(buffer) > limit:
            raise SourceError(f"an event-stream line runs past {limit >> 20} MiB with no newline: not a log")
        while True:
            cut = min((i for i in (buffer.find(b"\n"), buffer.find(b"\r")) if i >= 0), default=-1)
            if cut < 0 or (buffer[cut:cut + 1] == b"\r" and cut + 1 == len(buffer)):
                break  # no whole line yet (a CR may be the first half of CRLF)
            line = buffer[:cut]
            buffer = buffer[cut + (2 if buffer[cut:cut + 2] == b"\r\n" else 1):]
            if not line:
                if data:
                    yield b"\n".join(data) + b"\n"
                    data = []
                continue
            if line.startswith(b":"):
                continue
            name, _, value = line.partition(b":")
            if name == b"data":
                data.append(value[1:] if value.startswith(b" ") else value)
    name, _, value = buffer.rstrip(b"\r").partition(b":")
    if name == b"data":  # the stream closed inside its last line
        data.append(value[1:] if value.startswith(b" ") else value)
    if data:  # or before the blank line that ends its last event: keep what it said
        yield b"\n".join(data) + b"\n"
