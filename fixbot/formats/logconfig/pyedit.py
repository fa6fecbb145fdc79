"""Editing a settings module with libcst the way both logging codemods do, keeping every byte they do not change.

Dropping or replacing items of a literal keeps the whitespace and comments of the items that stay; new strings are
quoted like their neighbours; `StatementTransformer` is the plain `cst.CSTTransformer` base the rewrites use
(plain libcst: fixbot's path never imports libcst.codemod; codemods/_libcst_commands.py wraps them for it),
`StatementEditor` replaces or drops planned statements, and `parse` turns a syntax error into a `Refusal`.
"""

from __future__ import annotations

import libcst as cst

from fixbot.formats import Refusal
from fixbot.formats.logconfig.pydict import NotStatic


def _merge(before: cst.BaseParenthesizableWhitespace, after: cst.BaseParenthesizableWhitespace):
    """Whitespace where a run of items was removed: the line end (and comment) of what precedes the run,
    then the comment lines and indentation of what follows it, so comments above a removed item go with it."""
    if isinstance(before, cst.ParenthesizedWhitespace) and isinstance(after, cst.ParenthesizedWhitespace):
        return after.with_changes(first_line=before.first_line)
    if isinstance(before, cst.ParenthesizedWhitespace):
        return before
    if isinstance(after, cst.ParenthesizedWhitespace):
        return after
    return min(before, after, key=lambda ws: len(ws.value))  # `{ 'b': 1}` after dropping 'a' would look odd


def _opening(node):
    if isinstance(node, cst.Dict):
        return node.lbrace.whitespace_after
    if isinstance(node, cst.List):
        return node.lbracket.whitespace_after
    if isinstance(node, cst.Tuple):
        return node.lpar[0].whitespace_after
    return node.whitespace_before_args


def _with_opening(node, ws):
    if isinstance(node, cst.Dict):
        return node.with_changes(lbrace=node.lbrace.with_changes(whitespace_after=ws))
    if isinstance(node, cst.List):
        return node.with_changes(lbracket=node.lbracket.with_changes(whitespace_after=ws))
    if isinstance(node, cst.Tuple):
        return node.with_changes(lpar=[node.lpar[0].with_changes(whitespace_after=ws), *node.lpar[1:]])
    return node.with_changes(whitespace_before_args=ws)


def _closing(node, items):
    if isinstance(node, cst.Dict):
        return node.rbrace.whitespace_before
    if isinstance(node, cst.List):
        return node.rbracket.whitespace_before
    if isinstance(node, cst.Tuple):
        return node.rpar[-1].whitespace_before
    return items[-1].whitespace_after_arg


def edit_items(node, replace: dict[int, cst.CSTNode | None]):
    """`node` (Dict, List, parenthesized Tuple or dict(...) Call) with item i replaced by replace[i], or
    dropped when that is None. Kept items keep their own whitespace and comments."""
    if not replace:
        return node
    attr = "args" if isinstance(node, cst.Call) else "elements"
    old = list(getattr(node, attr))
    if isinstance(node, cst.Tuple) and not node.lpar:
        raise NotStatic("a tuple of handler names without parentheses")
    kept = [i for i in range(len(old)) if replace.get(i, old[i]) is not None]
    new = [replace.get(i, old[i]) for i in kept]
    opening, closing = _opening(node), _closing(node, old) if old else None
    if not kept:
        empty = cst.SimpleWhitespace("")
        node = _with_opening(node.with_changes(**{attr: []}), empty)
        return _set_closing(node, empty)
    if kept[0] != 0:  # leading items dropped
        opening = _merge(opening, _after(old[kept[0] - 1]))
    for n, (i, item) in enumerate(zip(kept, new)):
        nxt = kept[n + 1] if n + 1 < len(kept) else None
        if nxt is not None and nxt != i + 1:  # items between this one and the next dropped
            new[n] = _with_after(item, _merge(_after(old[i]), _after(old[nxt - 1])))
    last, tail_dropped = kept[-1], kept[-1] != len(old) - 1
    if tail_dropped:
        trailing = isinstance(old[-1].comma, cst.Comma)
        if isinstance(node, cst.Call):  # a call keeps the last line break in the trailing comma or the last arg
            if trailing:
                new[-1] = _with_after(new[-1], _merge(_after(old[last]), _after(old[-1])))
            else:
                ws = _merge(_after(old[last]), old[-1].whitespace_after_arg)
                new[-1] = new[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT, whitespace_after_arg=ws)
        else:  # brackets keep it in the closing bracket
            closing = _merge(_after(old[last]), closing)
            new[-1] = _with_after(new[-1], _after(old[-1])) if trailing else new[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    if isinstance(node, cst.Tuple) and len(new) == 1 and not isinstance(new[0].comma, cst.Comma):
        new[0] = new[0].with_changes(comma=cst.Comma())  # ("a",) stays a tuple
    node = _with_opening(node.with_changes(**{attr: new}), opening)
    return node if isinstance(node, cst.Call) or not tail_dropped else _set_closing(node, closing)


def _after(item) -> cst.BaseParenthesizableWhitespace:
    return item.comma.whitespace_after if isinstance(item.comma, cst.Comma) else cst.SimpleWhitespace(" ")


def _with_after(item, ws):
    comma = item.comma if isinstance(item.comma, cst.Comma) else cst.Comma()
    return item.with_changes(comma=comma.with_changes(whitespace_after=ws))


def _set_closing(node, ws):
    if isinstance(node, cst.Dict):
        return node.with_changes(rbrace=node.rbrace.with_changes(whitespace_before=ws))
    if isinstance(node, cst.List):
        return node.with_changes(rbracket=node.rbracket.with_changes(whitespace_before=ws))
    if isinstance(node, cst.Tuple):
        return node.with_changes(rpar=[*node.rpar[:-1], node.rpar[-1].with_changes(whitespace_before=ws)])
    return node


def like(template: cst.BaseExpression, text: str) -> cst.SimpleString:
    """A str literal holding `text`, quoted like `template` when it is a plain string."""
    if isinstance(template, cst.SimpleString) and template.prefix.lower() in ("", "u", "r"):
        quote = template.quote
        if quote not in text and "\\" not in text and "\n" not in text:
            return cst.SimpleString(f"{template.prefix}{quote}{text}{quote}")
    return cst.SimpleString(repr(text) if '"' in text else f'"{text}"')


class StatementTransformer(cst.CSTTransformer):
    """Base of the logging rewrites: they replace whole statements, so the walk never enters expressions or
    function bodies."""

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        return False

    def visit_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> bool:
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False


class StatementEditor(StatementTransformer):
    """Puts planned small statements in place (by id of the original) and drops the removed ones (None), keeping
    the blocks' spacing; a block left empty gets `pass`."""

    def __init__(self, edits: dict[int, cst.BaseSmallStatement | None], *, deep: bool = False) -> None:
        super().__init__()
        self._edits = edits
        self._removed: set[int] = set()
        self._deep = deep  # also statements inside functions and classes (a config built by a function)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return self._deep

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return self._deep

    def _small(self, body):
        new = [self._edits.get(id(s), s) if id(s) in self._edits else s for s in body]
        new = [s for s in new if s is not None]
        if new and len(new) != len(body):
            new[-1] = new[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        return new

    def leave_SimpleStatementLine(self, original_node, updated_node):
        if not any(id(s) in self._edits for s in original_node.body):
            return updated_node
        body = self._small(original_node.body)
        if body:
            return updated_node.with_changes(body=body)
        self._removed.add(id(updated_node))  # dropped by the enclosing block, which also keeps its spacing
        return updated_node

    def leave_SimpleStatementSuite(self, original_node, updated_node):
        if not any(id(s) in self._edits for s in original_node.body):
            return updated_node
        return updated_node.with_changes(body=self._small(original_node.body) or [cst.Pass()])

    def _drop(self, body):
        new, pending = [], []
        for statement in body:
            if id(statement) in self._removed:
                pending = pending or list(statement.leading_lines)
                continue
            blanks = [line for line in pending if line.comment is None]
            own = statement.leading_lines
            if blanks and pending[0].comment is None and not (own and own[0].comment is None):
                # the blank line that separated the removed statement now separates this one
                statement = statement.with_changes(leading_lines=[blanks[0], *own])
            new.append(statement)
            pending = []
        return new

    def leave_IndentedBlock(self, original_node, updated_node):
        # A block whose only statement was removed still needs one.
        body = self._drop(updated_node.body) or [cst.SimpleStatementLine([cst.Pass()])]
        return updated_node.with_changes(body=body)

    def leave_Module(self, original_node, updated_node):
        return updated_node.with_changes(body=self._drop(updated_node.body))


def parse(text: str) -> cst.Module:
    """The module, or Refusal when it does not parse."""
    from fixbot.formats.python import parse_module

    try:
        return parse_module(text)
    except cst.ParserSyntaxError as error:
        raise Refusal(f"does not parse: {error.message} (line {error.raw_line})") from None
