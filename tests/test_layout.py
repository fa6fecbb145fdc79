"""The layout promises of issue 10 that no other test pins: every module says its job in its first sentence."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from tests.support import ROOT

MODULES = sorted(p for package in ("fixbot", "codemods") for p in (ROOT / package).rglob("*.py"))
# A sentence ends at . ! or ? followed by a space or the end; `code` and "quotes" do not count.
_END = re.compile(r"[.!?](?:\s|$)")
_QUOTED = re.compile(r"`[^`]*`|\"[^\"]*\"|\([^()]*\)")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_module_opens_with_one_sentence_on_its_job(path):
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert docstring, "no docstring"
    opening = " ".join(docstring.split("\n\n")[0].split())
    assert len(_END.findall(_QUOTED.sub("", opening))) == 1 and _END.search(opening[-1:]), opening


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_over_400_lines(path):
    # A module that outgrows this has two jobs; split it where they part (README, "How it is built").
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 400


# The house (issue 18): the import graph of fixbot/ and codemods/ (installed as fixbot.codemods), read from the
# source. Every import counts, inside functions too (an import hidden in a function is still a dependency);
# `if TYPE_CHECKING:` blocks do not, since they never run.
def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[0] == "codemods":
        parts.insert(0, "fixbot")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


NAMES = {_module_name(p): p for p in MODULES}


def _package(module: str) -> str:
    return module if NAMES[module].name == "__init__.py" else module.rpartition(".")[0]


def _runtime_nodes(tree: ast.AST):
    """Every node outside `if TYPE_CHECKING:` blocks."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (n for child in node.orelse for n in [child, *_runtime_nodes(child)])
            continue
        yield node
        yield from _runtime_nodes(node)


def _imports(module: str) -> list[tuple[str, str | None, int]]:
    """(module imported, the name taken from it or None, line) for each fixbot import of `module`."""
    out = []
    for node in _runtime_nodes(ast.parse(NAMES[module].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, None, node.lineno) for a in node.names if a.name in NAMES]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = _package(module).split(".")
                base = ".".join(anchor[: len(anchor) - node.level + 1] + ([base] if base else []))
            if base not in NAMES:
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                out.append((sub, None, node.lineno) if sub in NAMES else (base, alias.name, node.lineno))
    return out


def test_no_symlink_in_the_tree():
    import subprocess

    tracked = subprocess.run(["git", "ls-files", "-s"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert not [line for line in tracked.splitlines() if line.startswith("120000")]
    assert (ROOT / "codemods" / "__init__.py").is_file() and not (ROOT / "fixbot" / "codemods").exists()


def test_no_import_cycle_among_fixbot_modules():
    graph = {m: {target for target, _, _ in _imports(m)} - {m} for m in NAMES}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_no_module_imports_another_packages_private_names():
    def private_owner(target: str, name: str | None) -> str | None:
        """The package that owns the first `_` part of `target.name` (None: nothing private in it)."""
        parts = target.split(".") + ([name] if name else [])
        for i, part in enumerate(parts):
            if part.startswith("_") and not part.startswith("__"):
                owner = ".".join(parts[:i])
                return owner if owner in NAMES and NAMES[owner].name == "__init__.py" else _package(owner)
        return None

    found = []
    for module in NAMES:
        for target, name, line in _imports(module):
            owner = private_owner(target, name)
            if owner is not None and _package(module) != owner:
                found.append(f"{NAMES[module].relative_to(ROOT)}:{line} takes {target}{'.' + name if name else ''}")
    assert not found, "\n".join(found)


def _strings(path: Path) -> list[str]:
    """The string literals of a module's code, docstrings left out (they are prose)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value) for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
    }
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and id(n) not in docstrings]


def test_a_codemod_or_kind_name_is_spelled_only_in_its_room_and_its_codemod():
    from fixbot import codemods, fixes

    def home(module: str) -> Path:
        path = NAMES[module]
        return path.parent if path.name == "__init__.py" else path

    rooms = {kind: home(type(fix).__module__) for kind, fix in fixes.registry().items()}
    rooms.update({kind: (fixes.HERE / kind.replace("-", "_")) for kind in _signature_kinds()} | rooms)
    allowed: dict[str, set[Path]] = {}
    for name, codemod in codemods.all_codemods().items():
        allowed.setdefault(name, set()).add(home(codemod.__module__))
        for kind in codemod.HANDLES:
            kind = fixes.canonical(kind)
            allowed[name].add(rooms[kind])
            allowed.setdefault(kind, {rooms[kind]}).add(home(codemod.__module__))
    for kind, room in rooms.items():
        allowed.setdefault(kind, {room})
        for alias in getattr(fixes.registry().get(kind), "ALIASES", ()):
            allowed[alias] = allowed[kind]
    spelled = {name: re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])") for name in allowed}
    found = []
    for path in MODULES:
        for text in _strings(path):
            for name, pattern in spelled.items():
                if pattern.search(text) and not any(path == a or a in path.parents for a in allowed[name]):
                    found.append(f"{path.relative_to(ROOT)} spells {name!r}")
    assert not sorted(set(found)), "\n".join(sorted(set(found)))


def _signature_kinds() -> set[str]:
    import yaml

    from fixbot import fixes

    return {s["kind"] for f in fixes.signature_files() for s in yaml.safe_load(f.read_text())["signatures"]}


def test_a_wheel_an_editable_install_and_the_source_tree_hold_the_same_modules(tmp_path):
    """codemods/ is installed as fixbot.codemods by setup.py's package_dir, not by a link: the wheel (what the
    Action and `pip install` get), the editable install (what `make` builds) and the source tree agree."""
    import subprocess
    import sys
    import zipfile

    import shutil

    source = tmp_path / "source"  # a copy: a build leaves build/ behind, which a second build would reuse
    source.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for package in ("fixbot", "codemods"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(tmp_path), str(source)], check=True, capture_output=True, cwd=tmp_path)
    (wheel,) = tmp_path.glob("fixbot-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    in_wheel = {name[: -len(".py")].replace("/", ".").removesuffix(".__init__") for name in names if name.endswith(".py")}
    assert in_wheel == set(NAMES)
    data = {n for n in names if n.endswith((".yml", ".log"))}
    on_disk = {str(p.relative_to(ROOT)) for p in (ROOT / "fixbot").rglob("*") if p.suffix in (".yml", ".log")}
    assert data == on_disk and any(n.startswith("fixbot/fixes/") for n in data)

    # The editable install, from outside the checkout (so that nothing is found through the current directory).
    probe = ("import importlib, json, sys\n"
             f"names = {sorted(NAMES)!r}\n"
             "print(json.dumps({n: importlib.import_module(n).__file__ for n in names}))\n")
    found = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True)
    import json

    assert {n: Path(f) for n, f in json.loads(found.stdout).items()} == NAMES
    top = subprocess.run([sys.executable, "-c", "import codemods"], cwd=tmp_path, capture_output=True, text=True)
    assert "No module named 'codemods'" in top.stderr, "fixbot.codemods only: a top-level `codemods` collides"
