"""Evaluates what a settings module's expressions statically hold: literals, dicts with `**`, paths built by joining, f-strings and environment defaults.

Nothing is imported or run. What cannot be known is `UNKNOWN`; a string with unknown parts is a `Text` (its
known pieces kept, so `os.path.join(BASE_DIR, "logs", "app.log")` still ends in `/logs/app.log`); a value
that depends on a condition is an `Alt` of what each branch gives. Dicts remember the file that wrote them,
which is how a handler's origin is found.

The work is bounded whatever the file says (`X = X + X` 33 times is 526 bytes and 2**33 characters): a value
bigger than MAX_SIZE (characters of a string, nodes of a dict or list with all they hold, options of an Alt) is
UNKNOWN, and a walk's `Budget` of steps, once spent, makes every later value UNKNOWN. Never an error.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from fixbot.formats import wildcard


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()

MAX_SIZE = 100_000  # a LOGGING dict is a few hundred nodes; a settings string a few hundred characters
MAX_PIECES = 256  # known and unknown pieces of one Text
MAX_OPTIONS = 64  # values of one Alt
MAX_STEPS = 200_000  # expressions evaluated and nodes copied or joined in one walk (the example's takes ~300)


class Budget:
    """The steps a walk may still take; `spent` once they are gone, and from then on every value is UNKNOWN."""

    def __init__(self, steps: int = MAX_STEPS):
        self.steps = steps

    @property
    def spent(self) -> bool:
        return self.steps <= 0

    def spend(self) -> None:
        self.steps -= 1
        if self.steps <= 0:
            raise _Spent


class _Spent(Exception):
    """A value grew past MAX_SIZE, or the walk's Budget ran out, while it was being built."""


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


def copy(value, budget: Budget | None = None):
    """A deep copy that keeps each dict's origin (`copy.deepcopy(BASE)` in a settings file); UNKNOWN when it would
    hold more than MAX_SIZE nodes (a list holding itself twice, doubled) or the budget runs out."""
    if not isinstance(value, (Mapping, list)):
        return value
    try:
        return _copy(value, Budget(MAX_SIZE), budget)
    except (_Spent, RecursionError):  # a dict that holds itself (`X["x"] = X`) too
        return UNKNOWN


def _copy(value, size: Budget, budget: Budget | None):
    size.spend()
    if budget is not None:
        budget.spend()
    if isinstance(value, Mapping):
        return Mapping({k: _copy(v, size, budget) for k, v in value.items()}, origin=value.origin, open=value.open)
    if isinstance(value, list):
        return [_copy(v, size, budget) for v in value]
    return value


def union(a, b, budget: Budget | None = None):
    """What a name holds after `if c: <a> else: <b>`: dicts keep the keys of both, other values become an Alt
    (UNKNOWN past MAX_OPTIONS options, or past the budget)."""
    try:
        return _union(a, b, Budget(MAX_SIZE), budget)
    except (_Spent, RecursionError):
        return UNKNOWN


def _union(a, b, size: Budget, budget: Budget | None):
    size.spend()
    if budget is not None:
        budget.spend()
    if a is b or (type(a) is type(b) and not isinstance(a, (Mapping, list)) and a == b):
        return a
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        out = Mapping(origin=b.origin, open=a.open or b.open)
        for key in dict.fromkeys((*a, *b)):  # once each: a key in both, joined twice, doubles per level
            out[key] = _union(a[key], b[key], size, budget) if key in a and key in b else (a[key] if key in a else b[key])
        return out
    options = [*(a.options if isinstance(a, Alt) else (a,)), *(b.options if isinstance(b, Alt) else (b,))]
    return Alt(tuple(options)) if len(options) <= MAX_OPTIONS else UNKNOWN


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

    def __init__(self, env: dict, file: str = "", budget: Budget | None = None):
        self.env = env
        self.file = file
        self.budget = budget if budget is not None else Budget()

    def __call__(self, node: ast.AST):
        if self.budget.spent:
            return UNKNOWN
        try:
            return self._eval(node)
        except (RecursionError, _Spent):
            return UNKNOWN

    def _eval(self, node: ast.AST):
        self.budget.spend()
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
                        out.update(_copy(spread, Budget(MAX_SIZE), self.budget))
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
                out = _copy(left, Budget(MAX_SIZE), self.budget)
                out.update(_copy(right, Budget(MAX_SIZE), self.budget))
                return out
            return UNKNOWN
        if isinstance(node, ast.IfExp):
            return _union(self._eval(node.body), self._eval(node.orelse), Budget(MAX_SIZE), self.budget)
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
            return copy(args[0], self.budget)
        if isinstance(node.func, ast.Attribute) and node.func.attr == "copy" and not node.args:
            return copy(self._eval(node.func.value), self.budget)
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
    """The string (or Text) `pieces` make; UNKNOWN when it would be longer than MAX_SIZE or in more than MAX_PIECES."""
    if len(pieces) > 2 * MAX_PIECES or sum(len(p) for p in pieces if isinstance(p, str)) > MAX_SIZE:
        return UNKNOWN
    merged: list = []
    for piece in pieces:
        if isinstance(piece, str) and merged and isinstance(merged[-1], str):
            merged[-1] += piece
        elif not (piece is UNKNOWN and merged and merged[-1] is UNKNOWN) and piece != "":
            merged.append(piece)
    if all(isinstance(p, str) for p in merged):
        return "".join(merged)
    return Text(tuple(merged)) if len(merged) <= MAX_PIECES else UNKNOWN


def join(left, right):
    """`os.path.join(left, right)` and `Path(left) / right`: an absolute right side starts again."""
    right_pieces = _pieces(right)
    if right_pieces and isinstance(right_pieces[0], str) and right_pieces[0].startswith("/"):
        return _text(right_pieces)
    return _text([*_pieces(left), "/", *right_pieces])


def path_matches(value, path: str) -> bool:
    """Whether a handler's `filename` can be the `path` a log names: its known pieces, in order, end the path.

    A relative filename is relative to the directory the app ran in, so it matches the end of the path; a
    filename whose last component is unknown matches nothing (that would be a guess). Matched in linear time
    (wildcard.py): the path comes from the log."""
    if isinstance(value, Alt):
        return any(path_matches(v, path) for v in value.options)
    pieces = _pieces(value) if _stringy(value) and value is not UNKNOWN else []
    if not pieces or not isinstance(pieces[-1], str) or pieces[-1].endswith("/"):
        return False
    path = re.sub(r"/+", "/", path.strip().replace("\\", "/"))
    tail = pieces[-1].rsplit("/", 1)[-1]
    if not tail or not path.endswith(tail):
        return False
    parts = [wildcard.ANY if p is UNKNOWN else re.sub(r"/+", "/", p).replace("/./", "/") for p in pieces]
    if pieces[0] is UNKNOWN or pieces[0].startswith("/"):
        return wildcard.fullmatch(parts, path)
    parts[0] = parts[0].removeprefix("./")
    return wildcard.fullmatch(parts, path) or wildcard.fullmatch([wildcard.ANY, "/", *parts], path)


def known(value) -> bool:
    """Whether a filename is known well enough to say it is not the log's path."""
    if isinstance(value, Alt):
        return all(known(v) for v in value.options)
    pieces = _pieces(value) if value is not UNKNOWN else []
    return bool(pieces) and isinstance(pieces[-1], str) and _stringy(value)
