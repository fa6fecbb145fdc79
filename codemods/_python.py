"""Parsing Python for the codemods: CPython's own parser first, so that no input can crash libcst's.

libcst's native parser recurses once per nesting level: a few hundred levels raise RecursionError and past
~1,500 it overflows the C stack and the process dies with SIGSEGV (exit 139), which no `except` can catch.
CPython's parser refuses the same sources cleanly (more than 200 nested brackets, 100 indentation levels, or
an expression too deep to build: SyntaxError, MemoryError or RecursionError), and it is fast (~1 ms for a
settings module), so every source is shown to it before libcst sees it.
"""

from __future__ import annotations

import ast

import libcst as cst

from fixbot.codemods import Refusal

TOO_DEEP = "does not parse: nested too deeply (CPython refuses it too)"
# Files read as Python source (fnmatch, lower case): modules, and Gunicorn config modules named without .py
# (`gunicorn -c deploy/gunicorn.conf` loads them all the same). They are decoded as Python decodes them.
SOURCE_FILES = ("*.py", "gunicorn*.conf")


def precheck(source: str) -> None:
    """Refusal, with a one-line reason, unless CPython can parse `source` and libcst can print it back."""
    if "\r" in source.rstrip("\r") and "\n" not in source:
        # Old Mac line endings: libcst prints such a module back without its last "\r", so even a file with
        # nothing to change would come out changed.
        raise Refusal("its lines end in CR alone (old Mac line endings), which libcst does not print back intact")
    try:
        ast.parse(source)
    except SyntaxError as err:
        message = (err.msg or "invalid syntax").splitlines()[0] if err.msg else "invalid syntax"
        where = f" (line {err.lineno})" if err.lineno else ""  # a NUL byte has no line from Python 3.12 on
        raise Refusal(f"does not parse: {message}{where}") from None
    except (RecursionError, MemoryError):
        raise Refusal(TOO_DEEP) from None
    except ValueError as err:  # NUL bytes (a SyntaxError from Python 3.12 on)
        raise Refusal(f"does not parse: {str(err).splitlines()[0]}") from None


def parse_module(source: str) -> cst.Module:
    """The libcst module of `source` (after `precheck`); ParserSyntaxError is left to the caller's message."""
    precheck(source)
    try:
        return cst.parse_module(source)
    except (RecursionError, MemoryError):
        raise Refusal(TOO_DEEP) from None
