"""fixbot's codemods: pure source-to-source rewrites, one module each, found by walking this package.

A codemod with more than one module is a package (logging_console/: the codemod and its examples); its codemod
class lives in the package's __init__, and the walk does not go inside it. What a codemod knows about files is
not here but in the readers below it (fixbot/formats/): a codemod is the thin part that says what to change.

A codemod is a subclass of `Codemod` with its metadata as class attributes and one pure function,
`rewrite(source, filename, **options) -> str`: text in, text out, or `Refusal` with a one-line reason. Two more,
also pure, read a rewrite afterwards: `describe` (what changed, for the commit) and `notes` (what the reviewer
must hear besides, for `fixbot codemod`).
Codemods never touch the disk, git or the network; `fixbot codemod`, `fixbot apply` and the tests do that.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar

from fixbot.formats import NothingToDo, Refusal

__all__ = ["Codemod", "Example", "NothingToDo", "Refusal", "all_codemods", "get", "lazy_commands"]



@dataclass(frozen=True)
class Example:
    """One documented case of a codemod; the shared test runs every one of them.

    `after=None` means the codemod must leave `before` unchanged; `refuses` is a piece of the expected
    refusal reason.
    """

    id: str
    before: str
    after: str | None = None
    refuses: str | None = None
    filename: str = "settings.py"
    options: dict[str, Any] = field(default_factory=dict)


class Codemod:
    """Base of every codemod: metadata plus `rewrite`."""

    NAME: ClassVar[str]
    DESCRIPTION: ClassVar[str]
    HANDLES: ClassVar[tuple[str, ...]] = ()  # finding kinds (fixbot/signatures.yml) this codemod fixes; old names count
    FILES: ClassVar[tuple[str, ...]] = ()  # fnmatch patterns (any case) of the files `apply` looks for
    # The kinds of file it understands, in the user's words, for `fixbot codemods` (default: its FILES patterns).
    FORMATS: ClassVar[tuple[str, ...]] = ()
    EXAMPLES: ClassVar[tuple[Example, ...]] = ()
    # Options `fixbot codemod` reads from a file's surroundings (fixbot/files.py `context`), as `fixbot apply`'s
    # rooms pass them: "star_imported" (another module of its folder does `from .<it> import *`), "project"
    # (the name of the repository holding it).
    CONTEXT: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def rewrite(cls, source: str, filename: str = "", **options: Any) -> str:
        raise NotImplementedError

    @classmethod
    def describe(cls, before: str, after: str, filename: str = "", **options: Any) -> list[str]:
        """What the rewrite of `before` into `after` changed, one line each in a reviewer's words (the commit says
        it); [] when the readers cannot tell, never a guess."""
        return []

    @classmethod
    def notes(cls, before: str, after: str, filename: str = "", **options: Any) -> list[str]:
        """What a reviewer of the rewrite of `before` into `after` must hear beyond what changed (a formatter it
        leaves unused), one line each, as `fixbot apply`'s post-check says it; [] when there is nothing to say or
        the readers cannot tell."""
        return []

    @classmethod
    def understands(cls) -> str:
        """The files it understands, in one line."""
        return ", ".join(cls.FORMATS or cls.FILES)


def all_codemods() -> dict[str, type[Codemod]]:
    """Every codemod in this package, by NAME, found by importing each public module or package."""
    found: dict[str, type[Codemod]] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Codemod)
                and value is not Codemod
                and value.__module__ == module.__name__
                and getattr(value, "NAME", None)
            ):
                found[value.NAME] = value
    return dict(sorted(found.items()))


def get(name: str) -> type[Codemod]:
    """The codemod called `name`; KeyError names the closest one and the known ones."""
    from fixbot.errors import did_you_mean

    codemods = all_codemods()
    try:
        return codemods[name]
    except KeyError:
        raise KeyError(f"unknown codemod {name!r}{did_you_mean(name, codemods)} (known: {', '.join(codemods)})") from None


def lazy_commands(module: str, *names: str) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A codemod module's `__getattr__` and `__dir__` (PEP 562) serving its libcst.tool commands `names` from
    codemods._libcst_commands, which imports libcst.codemod only when one is asked for."""

    def __getattr__(name: str) -> Any:
        if name in names:
            return getattr(importlib.import_module(f"{__name__}._libcst_commands"), name)
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    def __dir__() -> list[str]:  # so that `python -m libcst.tool list` still shows them
        return sorted({*vars(sys.modules[module]), *names})

    return __getattr__, __dir__
