"""Parsing Python for the codemods: CPython's own parser first, so that no input can crash libcst's.

libcst's native parser recurses once per nesting level: a few hundred levels raise RecursionError and past
~1,500 it overflows the C stack and the process dies with SIGSEGV (exit 139), which no `except` can catch.
CPython's parser refuses the same sources cleanly (more than 200 nested brackets, 100 indentation levels, or
an expression too deep to build: SyntaxError, MemoryError or RecursionError), and it is fast (~1 ms for a
settings module), so every source is shown to it before libcst sees it.

A source the running interpreter's grammar rejects may still be newer Python that libcst reads (a `type` alias,
PEP 695 generics, PEP 701 f-strings under Python 3.11): it goes to libcst only when its brackets, counted by
tokens, nest no deeper than CPython allows, since brackets are what libcst's parser recurses on (long operator
chains and prefix operators it takes in loops, tried up to 5,000); otherwise CPython's own message is the refusal.
"""

from __future__ import annotations

import ast
import functools
import io
import tokenize

import libcst as cst

from fixbot.formats import Refusal

TOO_DEEP = "does not parse: nested too deeply (CPython refuses it too)"
# Files read as Python source (fnmatch, lower case): modules, and Gunicorn config modules named without .py
# (`gunicorn -c deploy/gunicorn.conf` loads them all the same). They are decoded as Python decodes them.
SOURCE_FILES = ("*.py", "gunicorn*.conf")


def precheck(source: str) -> cst.Module | None:
    """Refusal, with a one-line reason, unless CPython (or, for newer Python, libcst) can parse `source` and
    libcst can print it back; libcst's module when it had to be parsed already."""
    if "\r" in source.rstrip("\r") and "\n" not in source:
        # Old Mac line endings: libcst prints such a module back without its last "\r", so even a file with
        # nothing to change would come out changed.
        raise Refusal("its lines end in CR alone (old Mac line endings), which libcst does not print back intact")
    try:
        ast.parse(source)
    except SyntaxError as err:
        message = (err.msg or "invalid syntax").splitlines()[0] if err.msg else "invalid syntax"
        where = f" (line {err.lineno})" if err.lineno else ""  # a NUL byte has no line from Python 3.12 on
        module = _newer_python(source, err.lineno or 0)
        if isinstance(module, str):
            raise Refusal(f"does not parse: {module}") from None
        if module is None:
            raise Refusal(f"does not parse: {message}{where}") from None
        return module
    except (RecursionError, MemoryError):
        raise Refusal(TOO_DEEP) from None
    except ValueError as err:  # NUL bytes (a SyntaxError from Python 3.12 on)
        raise Refusal(f"does not parse: {str(err).splitlines()[0]}") from None
    return None


# CPython's own limit on nested brackets (MAXLEVEL); libcst's native parser overflows the C stack near 1,500.
MAX_BRACKETS = 200


def _newer_python(source: str, line: int) -> cst.Module | str | None:
    """libcst's module of `source`, which this interpreter's grammar rejects at `line`, when libcst reads it
    without any risk of a crash; libcst's own error when it finds one further on (CPython stopped at newer syntax
    before the real mistake); None otherwise."""
    if _bracket_depth(source) > MAX_BRACKETS:
        return None
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as err:
        return f"{err.message} (line {err.raw_line})" if err.raw_line > line else None
    except (RecursionError, MemoryError):
        return None


def _bracket_depth(source: str) -> int:
    """The deepest nesting of brackets, counted on this interpreter's tokens; inside an f-string (one token before
    Python 3.12) its braces count too. A source the tokenizer cannot finish counts as too deep."""
    depth = deepest = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.OP and token.string in "([{":
                depth += 1
            elif token.type == tokenize.OP and token.string in ")]}":
                depth = max(depth - 1, 0)
            elif token.type == tokenize.STRING and "f" in token.string.split(token.string[-1], 1)[0].lower():
                inner = running = 0
                for char in token.string:
                    running += (char in "([{") - (char in ")]}")
                    inner = max(inner, running)
                deepest = max(deepest, depth + inner)
            deepest = max(deepest, depth)
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return MAX_BRACKETS + 1
    return deepest


@functools.lru_cache(maxsize=2)
def parse_module(source: str) -> cst.Module:
    """The libcst module of `source` (after `precheck`); ParserSyntaxError is left to the caller's message.

    The last two are kept: a rewrite, its post-check and its tidying each read the text before and after it, and
    a libcst tree is immutable, so they can share one (a 512 KiB settings module was parsed seven times)."""
    module = precheck(source)
    try:
        return module or cst.parse_module(source)
    except (RecursionError, MemoryError):
        raise Refusal(TOO_DEEP) from None
