"""Shell scripts (entrypoints, start scripts): Gunicorn's command lines, and the log directory's mkdir lines to drop."""

from __future__ import annotations

import re

from fixbot.formats import Refusal
from fixbot.formats.deploy.scan import Edit, Program, Scan, apply_edits, program_name
from fixbot.formats.deploy.words import Script, command_words, parse_error

# Shared directories are never "the log directory" whose mkdir/chown/chmod lines can go.
_SYSTEM_DIRS = frozenset(
    {"", ".", "/", "/tmp", "/var", "/var/log", "/var/tmp", "/run", "/var/run", "/dev", "~", "$HOME"}
)


class ShellScan(Scan):
    """A scan of a whole script, which can also drop the lines that made the log directory."""

    def more_edits(self, edits: list[Edit], options: dict[str, object]) -> list[Edit]:
        """`remove_log_dirs=True`: also the script's mkdir/chown/chmod lines for the replaced directories."""
        if not options.get("remove_log_dirs"):
            return []
        dirs = {_norm(d) for found in self.found for d in found.dirs} - _SYSTEM_DIRS
        return _log_dir_lines(self.source, edits, dirs)

    def check(self, result: bytes) -> None:
        if parse_error(Script(result).parse()):
            raise Refusal("internal: the rewrite would not parse; not touching the file")


def read(source: str, program: Program | None = None) -> Scan | None:
    return ShellScan.of(source, lambda scan: scan.script(Script(scan.source)), program)


def _log_dir_lines(source: bytes, edits: list[Edit], dirs: set[str]) -> list[Edit]:
    """Edits deleting top-level `mkdir`/`chown`/`chmod` lines for `dirs`, when nothing else in the file names them."""
    script = Script(source)
    tree = script.parse()
    candidates: list[tuple[Edit, set[str]]] = []
    for node in tree.root_node.named_children:
        if node.type != "command":
            continue
        words = command_words(node, tree.root_node, script)
        if program_name(words[0]) not in ("mkdir", "chown", "chmod"):
            continue
        args = [w.shown.decode(errors="replace") for w in words[1:] if not w.shown.startswith(b"-")]
        paths = args[1:] if program_name(words[0]) != "mkdir" else args  # chown OWNER …, chmod MODE …
        under = [{d for d in dirs if _norm(p).rstrip("/") == d or _norm(p).startswith(d + "/")} for p in paths]
        if not paths or not all(under):
            continue
        touched = set().union(*under)
        a = source.rfind(b"\n", 0, node.start_byte) + 1
        b = source.find(b"\n", node.end_byte)
        b = len(source) if b < 0 else b + 1
        tail = source[node.end_byte : b].strip()
        if source[a : node.start_byte].strip() or (tail and not tail.startswith(b"#")):
            continue  # shares its line with something else
        candidates.append(((a, b, b""), touched))
    keep = set(dirs)
    while True:
        removing = [edit for edit, touched in candidates if touched <= keep]
        text = _norm(apply_edits(source, edits + removing).decode(errors="replace"))
        still = {d for d in keep if d in text}
        if not still:
            return removing
        keep -= still


def _norm(path: str) -> str:
    return re.sub(r"\$\{(\w+)\}", r"$\1", path)



def top_level(source: str) -> tuple[set[str], int]:
    """(the variables the script assigns or exports at its top level, the offset of its first command after the
    shebang, comments and `set` lines): where a codemod that sets the process's environment reads and writes."""
    script = Script(source.encode())
    tree = script.parse()
    names: set[str] = set()
    first: int | None = None
    for node in tree.root_node.named_children:
        text = (node.text or b"").decode(errors="replace")
        if node.type == "variable_assignment" or (node.type == "declaration_command" and text.startswith("export")):
            names |= set(re.findall(r"(?:^|\s)([A-Za-z_]\w*)=", " " + text.removeprefix("export")))
        if first is None and node.type != "comment" and not text.startswith("set "):
            first = node.start_byte
    offset = len(source.encode()) if first is None else first
    return names, len(source.encode()[:offset].decode(errors="replace"))
