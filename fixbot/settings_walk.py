"""Follows a Django settings module's star imports, statement by statement, to the LOGGING in effect.

Only the files of the chain are read, through a `RepoView`; nothing is imported or run.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from fixbot.errors import BadInput

if TYPE_CHECKING:
    from fixbot.repo import RepoView


class Walk:
    """Executes the settings chain in the head, statement by statement: the last assignment of LOGGING wins."""

    def __init__(self, repo: RepoView):
        self.repo = repo
        self.definer: tuple[str, tuple[str, ...]] | None = None
        self.mutations: list[str] = []
        self.seen: set[str] = set()

    def visit(self, file: str, module: str, chain: tuple[str, ...]) -> None:
        if file in self.seen or len(chain) > 20:
            return
        self.seen.add(file)
        chain = (*chain, file)
        try:
            tree = ast.parse(self.repo.read(file), file)
        except SyntaxError as err:
            raise BadInput(f"{file}:{err.lineno}: settings file does not parse: {err.msg}") from None
        except ValueError as err:  # NUL bytes
            raise BadInput(f"{file}: settings file does not parse: {err}") from None
        except (RecursionError, MemoryError):  # an expression nested too deeply for CPython to build
            raise BadInput(f"{file}: settings file does not parse: nested too deeply") from None
        package = module if file.endswith("__init__.py") else module.rpartition(".")[0]
        self._statements(tree.body, file, package, chain)

    def _statements(self, body: list[ast.stmt], file: str, package: str, chain: tuple[str, ...]) -> None:
        for node in body:
            if isinstance(node, ast.ImportFrom) and any(a.name in ("*", "LOGGING") for a in node.names):
                target = _absolute(node, package)
                found = self.repo.module_file(target, [file]) if target else None
                if found:
                    self.visit(found, target, chain)
            elif isinstance(node, ast.Try):
                # `try: from .local import * except ImportError: pass` runs its body whenever the import works.
                self._statements(node.body + node.orelse + node.finalbody, file, package, chain)
                if any(_mentions_logging(h) for h in node.handlers) and file not in self.mutations:
                    self.mutations.append(file)
            elif _assigns_logging(node):
                self.definer = (file, chain)
                self.mutations = []
            elif _mentions_logging(node) and file not in self.mutations:
                # Anything else that touches LOGGING (item assignment, .update(), |=, an assignment under
                # an `if`) changes the LOGGING in effect: the report says where, so a reviewer can check it.
                self.mutations.append(file)


def _absolute(node: ast.ImportFrom, package: str) -> str | None:
    if not node.level:
        return node.module
    base = package.split(".") if package else []
    if node.level - 1 > len(base):
        return None
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])]) or None


def _assigns_logging(node: ast.stmt) -> bool:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
    return any(isinstance(t, ast.Name) and t.id == "LOGGING" for t in targets)


def _mentions_logging(node: ast.AST) -> bool:
    return any(isinstance(sub, ast.Name) and sub.id == "LOGGING" for sub in ast.walk(node))
