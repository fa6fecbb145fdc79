"""Log sources: one module per place a failing deploy's log comes from, behind one small interface.

`fixbot diagnose --from SOURCE`, `apply --from SOURCE` and `watch --from SOURCE` name a source as
`SCHEME:TARGET` (`hf-space:OWNER/NAME`, `url:https://…`). Each module here holds one `Source` subclass; its scheme
is the module's name with `-` for `_` (`hf_space.py` is `hf-space:`), and the package is walked to find them, so
adding a platform touches its module and its test, nothing else. A source says where the platform lives (a variable
and its default), how it is authenticated (the variable holding its token) and fetches within `Bounds`; what it
fetches is the log's bytes, which `fixbot/logs.py` reads exactly as it reads a file. Nothing here imports the
rooms or the codemods: a source knows nothing of what the log means.
"""

from __future__ import annotations

import functools
import importlib
import os
import pkgutil
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, ClassVar, Iterator, Mapping

from fixbot.errors import BadInput, SourceError
from fixbot.sources import _bounded
from fixbot.sources._bounded import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, Bounds

__all__ = ["DEFAULT_MAX_BYTES", "DEFAULT_TIMEOUT", "Bounds", "Source", "SourceError", "State", "parse", "registry"]


@dataclass(frozen=True)
class State:
    """What a platform says of the newest deploy, for `fixbot watch`.

    phase: `pending` (building, starting: not a result), `running`, `failed`, or `other` (paused, stopped,
    canceled: neither a running deploy nor a failed one). detail: the platform's own word for it."""

    phase: str
    detail: str


class Source:
    """One place a log comes from. Subclasses set the class attributes and `chunks`; `state` where the platform
    reports the newest deploy's outcome (the sources `fixbot watch` can poll)."""

    scheme: ClassVar[str] = ""  # set from the module's name by `registry`
    target: ClassVar[str] = "TARGET"  # what follows the colon, as `--help` shows it
    pattern: ClassVar[str] = r".+"  # what the target must match: it ends up in URLs and command lines
    endpoint: ClassVar[tuple[str, str] | None] = None  # where the platform lives: (variable, default)
    secret: ClassVar[str | None] = None  # the variable holding its token, sent to the endpoint's host only
    watches: ClassVar[str] = ""  # what `fixbot watch` polls; empty: the platform reports no deploy state

    def __init__(self, target: str, env: Mapping[str, str] | None = None, bounds: Bounds | None = None) -> None:
        if not re.fullmatch(self.pattern, target or ""):
            raise BadInput(f"{self.scheme}:{target}: the target must be {self.target}")
        self.value = target
        self.env = dict(os.environ if env is None else env)
        self.bounds = bounds or Bounds()
        self.notes: list[str] = []  # one line each on stderr: the platform's stage, a log cut at its bound

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"

    @property
    def base_url(self) -> str:
        assert self.endpoint is not None
        variable, default = self.endpoint
        url = (self.env.get(variable) or default).strip().rstrip("/")
        if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", url):
            raise BadInput(f"{variable} {url!r} is not an http(s) URL")
        return url

    @property
    def token(self) -> str | None:
        if not self.secret:
            return None
        return (self.env.get(self.secret) or "").strip() or None

    def chunks(self) -> Iterator[bytes]:
        """The log's bytes, in blocks of any size, as a file of it would hold them. Runs in a worker thread that
        `open` bounds; raise SourceError for what the platform refuses."""
        raise NotImplementedError

    def open(self, scratch: Path) -> Iterator[tuple[str | None, BinaryIO]]:
        """The streams the log is made of, as `logs.open_sources` gives a file's: one here, bounded."""
        yield None, _bounded.stream(_bounded.pull(self.chunks, self.bounds, str(self), self.notes), str(self))

    def state(self) -> State:
        """The newest deploy's outcome, for `fixbot watch`."""
        raise BadInput(f"{self}: {self.scheme} reports no deploy state to watch; give the log with diagnose or apply")

    def poll(self) -> State:
        """`state()`, or SourceError when the platform takes longer than `bounds.timeout` to say it."""
        return _bounded.within(self.state, self.bounds, str(self))


@functools.lru_cache(maxsize=1)
def registry() -> dict[str, type[Source]]:
    """scheme -> Source class, from every public module of this package."""
    found: dict[str, type[Source]] = {}
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("_"):
            continue
        loaded = importlib.import_module(f"{__name__}.{module.name}")
        classes = [c for c in vars(loaded).values()
                   if isinstance(c, type) and issubclass(c, Source) and c.__module__ == loaded.__name__]
        if len(classes) != 1:
            raise RuntimeError(f"{loaded.__name__} must define exactly one Source, not {len(classes)}")
        (cls,) = classes
        cls.scheme = module.name.replace("_", "-")
        found[cls.scheme] = cls
    return dict(sorted(found.items()))


def parse(spec: str, env: Mapping[str, str] | None = None, bounds: Bounds | None = None) -> Source:
    """The source `spec` (`SCHEME:TARGET`) names; BadInput naming the schemes there are when it names none."""
    scheme, colon, target = (spec or "").partition(":")
    sources = registry()
    if not colon or scheme not in sources:
        names = ", ".join(f"{name}:{cls.target}" for name, cls in sources.items())
        raise BadInput(f"--from {spec!r}: give SCHEME:TARGET, one of {names}")
    return sources[scheme](target.strip(), env, bounds)

