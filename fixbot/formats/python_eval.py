"""Evaluates what a settings module's expressions statically hold: literals, dicts with `**`, paths built by joining, f-strings and environment defaults.

Nothing is imported or run. What cannot be known is `UNKNOWN`; a string with unknown parts is a `Text` (its
known pieces kept, so `os.path.join(BASE_DIR, "logs", "app.log")` still ends in `/logs/app.log`); a value
that depends on a condition is an `Alt` of what each branch gives. Dicts remember the file that wrote them,
which is how a handler's origin is found.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


@dataclass(frozen=True)
class Text:
    """A string some of whose pieces are UNKNOWN."""

    pieces: tuple


@dataclass(frozen=True)
class Alt:
    """One of several values, depending on something only known at run time."""

    options: tuple


class Mapping(dict):
    """A dict literal's value, with the file it was written in; `open` when unknown entries may be in it."""

    def __init__(self, *args, origin: str = "", open: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.origin = origin
        self.open = open


def copy(value):
    """A deep copy that keeps each dict's origin (`copy.deepcopy(BASE)` in a settings file)."""
    if isinstance(value, Mapping):
        return Mapping({k: copy(v) for k, v in value.items()}, origin=value.origin, open=value.open)
    if isinstance(value, list):
        return [copy(v) for v in value]
    return value


def union(a, b):
    """What a name holds after `if c: <a> else: <b>`: dicts keep the keys of both, other values become an Alt."""
    if a is b or (type(a) is type(b) and not isinstance(a, (Mapping, list)) and a == b):
        return a
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        out = Mapping(origin=b.origin, open=a.open or b.open)
        for key in (*a, *b):
            out[key] = union(a[key], b[key]) if key in a and key in b else (a[key] if key in a else b[key])
        return out
    options = [*(a.options if isinstance(a, Alt) else (a,)), *(b.options if isinstance(b, Alt) else (b,))]
    return Alt(tuple(options))


_JOINS = {"os.path.join", "path.join", "join", "posixpath.join"}
_SAME = {"Path", "pathlib.Path", "PurePath", "PosixPath", "str", "os.fspath", "os.path.abspath", "os.path.normpath",
         "os.path.realpath", "abspath", "normpath", "realpath", "Path.resolve"}
_COPIES = {"copy.deepcopy", "deepcopy", "copy.copy", "dict"}
_ENV_GETTERS = re.compile(r"^(?:os\.environ\.get|os\.getenv|getenv|environ\.get|env(?:\.\w+)?|config|get_env\w*)$")


def dotted(node: ast.AST) -> str:
    """`os.path.join` for the expression naming it, "" for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = dotted(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return ""


class Evaluator:
    """Expressions of one file, against the names set so far (`env`, shared along a star-import chain)."""

    def __init__(self, env: dict, file: str = ""):
        self.env = env
        self.file = file

    def __call__(self, node: ast.AST):
        try:
            return self._eval(node)
        except RecursionError:
            return UNKNOWN

    def _eval(self, node: ast.AST):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return self.env.get(node.id, UNKNOWN)
        if isinstance(node, ast.Dict):
            out = Mapping(origin=self.file)
            for key, value in zip(node.keys, node.values):
                if key is None:  # {**BASE, ...}
                    spread = self._eval(value)
                    if isinstance(spread, Mapping):
                        out.update(copy(spread))
                        out.open = out.open or spread.open
                    else:
                        out.open = True
                    continue
                k = self._eval(key)
                if isinstance(k, str):
                    out[k] = self._eval(value)
                else:
                    out.open = True
            return out
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return [UNKNOWN if isinstance(e, ast.Starred) else self._eval(e) for e in node.elts]
        if isinstance(node, ast.JoinedStr):
            pieces: list = []
            for part in node.values:
                value = self._eval(part.value) if isinstance(part, ast.FormattedValue) else part.value
                pieces += _pieces(value) if not (isinstance(part, ast.FormattedValue) and part.format_spec) else [UNKNOWN]
            return _text(pieces)
        if isinstance(node, ast.BinOp):
            left, right = self._eval(node.left), self._eval(node.right)
            if isinstance(node.op, ast.Add) and _stringy(left) and _stringy(right):
                return _text([*_pieces(left), *_pieces(right)])
            if isinstance(node.op, ast.Div) and _stringy(left) and _stringy(right):
                return join(left, right)
            if isinstance(node.op, ast.BitOr) and isinstance(left, Mapping) and isinstance(right, Mapping):
                out = copy(left)
                out.update(copy(right))
                return out
            return UNKNOWN
        if isinstance(node, ast.IfExp):
            return union(self._eval(node.body), self._eval(node.orelse))
        if isinstance(node, ast.Subscript):
            container, key = self._eval(node.value), self._eval(node.slice)
            if isinstance(container, Mapping) and isinstance(key, str) and key in container:
                return container[key]
            return UNKNOWN
        if isinstance(node, ast.Call):
            return self._call(node)
        return UNKNOWN

    def _call(self, node: ast.Call):
        name = dotted(node.func)
        args = [self._eval(a) for a in node.args if not isinstance(a, ast.Starred)]
        if name in _JOINS and args and all(_stringy(a) for a in args):
            out = args[0]
            for arg in args[1:]:
                out = join(out, arg)
            return out
        if name in _SAME and len(args) == 1:
            return args[0]
        if name in _COPIES and len(args) == 1 and not node.keywords:
            return copy(args[0])
        if isinstance(node.func, ast.Attribute) and node.func.attr == "copy" and not node.args:
            return copy(self._eval(node.func.value))
        if _ENV_GETTERS.match(name):
            # The default is what a deploy that does not set the variable gets; a log from one that does will
            # not match it, and the handler's name is the evidence then.
            default = args[1] if len(args) > 1 else next(
                (self._eval(k.value) for k in node.keywords if k.arg in ("default", "fallback")), UNKNOWN
            )
            return default if _stringy(default) else UNKNOWN
        return UNKNOWN


def _stringy(value) -> bool:
    return isinstance(value, (str, Text)) or value is UNKNOWN


def _pieces(value) -> list:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Text):
        return list(value.pieces)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [str(value)]
    return [UNKNOWN]


def _text(pieces: list):
    merged: list = []
    for piece in pieces:
        if isinstance(piece, str) and merged and isinstance(merged[-1], str):
            merged[-1] += piece
        elif not (piece is UNKNOWN and merged and merged[-1] is UNKNOWN) and piece != "":
            merged.append(piece)
    if all(isinstance(p, str) for p in merged):
        return "".join(merged)
    return Text(tuple(merged))


def join(left, right):
    """`os.path.join(left, right)` and `Path(left) / right`: an absolute right side starts again."""
    right_pieces = _pieces(right)
    if right_pieces and isinstance(right_pieces[0], str) and right_pieces[0].startswith("/"):
        return _text(right_pieces)
    return _text([*_pieces(left), "/", *right_pieces])


def path_matches(value, path: str) -> bool:
    """Whether a handler's `filename` can be the `path` a log names: its known pieces, in order, end the path.

    A relative filename is relative to the directory the app ran in, so it matches the end of the path; a
    filename whose last component is unknown matches nothing (that would be a guess)."""
    if isinstance(value, Alt):
        return any(path_matches(v, path) for v in value.options)
    pieces = _pieces(value) if _stringy(value) and value is not UNKNOWN else []
    if not pieces or not isinstance(pieces[-1], str) or pieces[-1].endswith("/"):
        return False
    path = re.sub(r"/+", "/", path.strip().replace("\\", "/"))
    tail = pieces[-1].rsplit("/", 1)[-1]
    if not tail or not path.endswith(tail):
        return False
    pattern = "".join(".*" if p is UNKNOWN else re.escape(re.sub(r"/+", "/", p)) for p in pieces)
    if not (pieces[0] is UNKNOWN or pieces[0].startswith("/")):
        pattern = "(?:.*/)?" + pattern.removeprefix(r"\./")
    return re.fullmatch(pattern.replace(r"/\./", "/"), path) is not None


def known(value) -> bool:
    """Whether a filename is known well enough to say it is not the log's path."""
    if isinstance(value, Alt):
        return all(known(v) for v in value.options)
    pieces = _pieces(value) if value is not UNKNOWN else []
    return bool(pieces) and isinstance(pieces[-1], str) and _stringy(value)
