"""gunicorn-stdout: point Gunicorn's access and error logs at stdout/stderr (`-`) wherever Gunicorn is started.

Gunicorn exits at boot ("Error: '…' isn't writable") when a log file's directory is missing; in a container the
logs belong on stdout anyway. Settings: https://docs.gunicorn.org/en/stable/settings.html#logging
"""

from __future__ import annotations

import dataclasses
import json
import posixpath
import re
from dataclasses import dataclass, field
from fnmatch import fnmatch
from typing import Any

import libcst as cst
import yaml
from libcst.metadata import PositionProvider

from codemods import Codemod, Example, Refusal, lazy_commands
from codemods._python import SOURCE_FILES
from tree_sitter import Node

from codemods._shell import (
    Script, Unit, Word, check_nesting, command_words, literal_units, parse_error, split, units,
)

# Gunicorn's parser is argparse with abbreviations allowed, so any unambiguous prefix of a long option is that
# option: these are the shortest ones in Gunicorn 27 (tests/codemods check them against gunicorn's own parser).
_FLAGS = {"--access-logfile": ("accesslog", 14), "--error-logfile": ("errorlog", 4), "--log-file": ("errorlog", 7)}
_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "ash", "mksh"})
_SU = frozenset({"su", "runuser"})
# gunicorn is an argument here, not the program being run.
_NOT_RUNNERS = frozenset(
    {"echo", "printf", "which", "type", "pgrep", "pkill", "killall", "grep", "test", "[", "pip", "pip3", "apt-get",
     "apk", "supervisorctl", "systemctl"}
)
_VARIABLE = re.compile(rb"\$\{?(\w+)(?:\[[@*]\])?\}?")
_INSTALLS = frozenset({b"install", b"add", b"uninstall", b"remove"})
# Calls that only build or look up a path, like `${VAR}/x` in a shell: replacing them loses nothing. Any other call
# runs code of the project (that may create the directory, say), which is the config's `$(…)`: fixbot refuses.
_PATH_CALLS = frozenset(
    {"join", "joinpath", "str", "Path", "PurePath", "abspath", "expanduser", "resolve", "as_posix", "format", "get",
     "getenv", "fspath"}
)

# Shared directories are never "the log directory" whose mkdir/chown/chmod lines can go.
_SYSTEM_DIRS = frozenset(
    {"", ".", "/", "/tmp", "/var", "/var/log", "/var/tmp", "/run", "/var/run", "/dev", "~", "$HOME"}
)

Edit = tuple[int, int, bytes]


@dataclass(frozen=True)
class LogFlag:
    """One Gunicorn log setting as written: `setting` is accesslog/errorlog, `flag` how the file spells it."""

    setting: str
    flag: str
    value: str
    line: int


@dataclass(frozen=True)
class Invocation:
    """A place that starts or configures Gunicorn.

    kind: "command" (an argv; flags from `$OPTS` / "${ARGS[@]}" set in the same file included), "env"
    (GUNICORN_CMD_ARGS) or "config" (a config module's accesslog/errorlog). `line` is where gunicorn is named.
    """

    line: int
    kind: str
    flags: tuple[LogFlag, ...]
    config: str | None = None  # the -c/--config file it reads, when given


@dataclass
class _Found:
    invocation: Invocation
    edits: list[Edit] = field(default_factory=list)
    dirs: list[str] = field(default_factory=list)  # directories of the log paths being replaced
    problem: str | None = None
    variables: list[bytes] = field(default_factory=list)  # `$OPTS` / "${ARGS[@]}" expanded among its arguments


class _File:
    """What was found in one file: invocations, each with the byte edits that set its log flags to `-`."""

    def __init__(self, source: bytes):
        self.source = source
        self.found: list[_Found] = []
        self.assigned: list[tuple[bytes, Node, Script, int]] = []  # shell variable assignments, for `$OPTS`

    def line(self, offset: int) -> int:
        return self.source.count(b"\n", 0, offset) + 1

    # -- argv ---------------------------------------------------------------------------------------------------
    def argv(self, words: list[Word]) -> Word | None:
        """Look for Gunicorn in one command line; returns the word of a nested script it read (`bash -c WORD`)."""
        if not words or _base(words[0]) in _NOT_RUNNERS:
            return None
        at = next((i for i, w in enumerate(words) if _base(w) == "gunicorn"), len(words))
        for i in range(at):  # only before gunicorn: its own `-c` is a config file
            script = _script_argument(_base(words[i]), words[:at], i)
            if script is not None:
                self.script(Script.of(script), nested=f"{_base(words[i])} -c")
                return script
        if at < len(words) and not _INSTALLS.intersection(w.static for w in words[:at]):
            self.gunicorn_args(words[at + 1 :], "command", self.line(words[at].start))
        return None

    def gunicorn_args(self, words: list[Word], kind: str, line: int, found: _Found | None = None) -> None:
        """Read Gunicorn's arguments; with `found`, they are more arguments of that invocation (from a variable)."""
        if found is None:
            found = _Found(Invocation(line, kind, ()))
            self.found.append(found)
        flags, config = list(found.invocation.flags), found.invocation.config
        i = 0
        while i < len(words):
            word, prefix = words[i], words[i].prefix
            if prefix == b"--" and word.static is not None:
                break  # argparse: everything after `--` is positional
            name, eq, _ = prefix.partition(b"=")
            setting, flag = _setting(name.decode(errors="replace"))
            if setting and (eq or word.static is not None):
                if eq:
                    at = next(k for k, u in enumerate(word.units) if u.text == b"=")
                    value, insert = word.units[at + 1 :], word.units[at].end
                    owner = word
                elif i + 1 < len(words):
                    i += 1
                    owner = words[i]
                    value, insert = owner.units, owner.start
                else:
                    break
                flags.append(self.value(found, setting, flag, owner, tuple(value), insert, line=self.line(word.start)))
            elif name in (b"-c", b"--config") and (eq or i + 1 < len(words)):
                config = _shown(word.units[len(name) + 1 :]) if eq else words[i + 1].shown.decode(errors="replace")
                i += 0 if eq else 1
            elif prefix.startswith(b"-c") and not prefix.startswith(b"--") and word.static is not None:
                config = word.static[2:].decode(errors="replace")
            i += 1
            found.variables += [m.group(1) for u in word.units if u.text is None and (m := _VARIABLE.fullmatch(u.raw))]
        found.invocation = dataclasses.replace(found.invocation, flags=tuple(flags), config=config)

    def value(self, found: _Found, setting: str, flag: str, word: Word, value: tuple[Unit, ...], insert: int,
              line: int) -> LogFlag:
        """Record the edits that make one flag's value `-`: the first quoting group keeps its quotes, the rest go."""
        shown = _shown(value)
        if shown == "-" and all(u.text is not None for u in value):
            return LogFlag(setting, flag, shown, line)
        if any(u.opaque for u in value):
            found.problem = f"the value of {flag} on line {line} comes from `{shown}`, which fixbot cannot see into"
        elif not value:
            found.edits.append((insert, word.end, b"-"))
        else:
            groups: list[list[Unit]] = []
            for u in value:
                if groups and groups[-1][0].outer == u.outer and (u.outer or groups[-1][-1].end == u.start):
                    groups[-1].append(u)
                else:
                    groups.append([u])
            first = groups[0]
            whole = first[0].start == word.start and first[-1].end == word.end
            found.edits.append((first[0].start, first[-1].end, word.dash if whole else b"-"))
            for group in groups[1:]:
                a, b = group[0].outer or (group[0].start, group[-1].end)
                found.edits.append((a, b, b""))
            found.dirs.append(posixpath.dirname(shown))
        return LogFlag(setting, flag, shown, line)

    def cmd_args(self, value: tuple[Unit, ...] | list[Unit], line: int) -> None:
        """GUNICORN_CMD_ARGS: Gunicorn shlex-splits it and reads it as more command-line flags."""
        self.gunicorn_args(split(value), "env", line)

    # -- shell --------------------------------------------------------------------------------------------------
    def script(self, script: Script, nested: str = "") -> None:
        tree = script.parse()
        error = parse_error(tree)
        if error:
            if nested and b"gunicorn" not in script.text.lower():
                return  # not ours to judge
            where = f"the script of `{nested}` on line {self.line(script.span(0, 0)[0])}, " if nested else ""
            raise Refusal(f"does not parse: {where}{error}")
        check_nesting(tree)
        before = len(self.found)
        stack: list[tuple[Node, Node | None]] = [(tree.root_node, None)]
        while stack:
            node, parent = stack.pop()
            skip = None
            if node.type == "command":
                consumed = self.argv(command_words(node, parent, script))
                skip = consumed.node if consumed is not None else None
            elif node.type == "variable_assignment":
                name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
                if name is not None and value is not None:
                    line = self.line(script.span(node.start_byte, node.end_byte)[0])
                    if name.text == b"GUNICORN_CMD_ARGS":
                        self.cmd_args(units(value, script), line)
                    else:
                        self.assigned.append((name.text or b"", value, script, line))
            stack.extend((c, node) for c in reversed(node.children) if c != skip)
        if nested:
            return
        # `OPTS="--access-logfile …"; gunicorn app $OPTS` and `ARGS=(…); gunicorn app "${ARGS[@]}"`: the
        # variable's words are Gunicorn's arguments too (also when a `bash -c` string expands it).
        for found in self.found[before:]:
            for name, value, script, line in self.assigned:
                if name in found.variables:
                    if value.type == "array":
                        words = [Word(tuple(units(n, script)), *script.span(n.start_byte, n.end_byte))
                                 for n in value.named_children if n.type != "comment"]
                    else:
                        words = split(units(value, script), quotes=False)  # word splitting: quotes are literal
                    self.gunicorn_args(words, found.invocation.kind, line, found)


def _base(word: Word) -> str:
    """The program name a word runs: the literal text after its last slash (`"$VENV/bin/gunicorn"` → gunicorn)."""
    name: list[bytes] = []
    for u in reversed(word.units):
        if u.text is None or u.text in (b" ", b"\t", b"\n"):
            return ""
        if u.text == b"/":
            break
        name.append(u.text)
    return b"".join(reversed(name)).decode(errors="replace")


def _shown(value: tuple[Unit, ...] | list[Unit]) -> str:
    return b"".join(u.shown for u in value).decode(errors="replace")


def _setting(name: str) -> tuple[str | None, str]:
    for flag, (setting, shortest) in _FLAGS.items():
        if len(name) >= shortest and flag.startswith(name):
            return setting, name
    return None, name


def _script_argument(name: str, words: list[Word], at: int) -> Word | None:
    """The word a shell, `su` or `eval` at words[at] runs as a script, if it is one."""
    rest = words[at + 1 :]
    if name == "eval" and at == 0 and len(rest) == 1:
        return rest[0]
    if name not in _SHELLS and name not in _SU:
        return None
    i = 0
    while i < len(rest):
        opt = rest[i].static
        if opt is None:
            return None
        if opt in (b"-c", b"--command") or (name in _SHELLS and re.fullmatch(rb"[-+][a-zA-Z]*c[a-zA-Z]*", opt)):
            return rest[i + 1] if i + 1 < len(rest) else None
        if opt in (b"-o", b"+o", b"-s", b"-g", b"-G", b"-u", b"--shell", b"--group"):
            i += 1  # these take a value
        elif not opt.startswith((b"-", b"+")) and name in _SHELLS:
            return None  # `bash script.sh …`: a script file, not a string
        i += 1
    return None


# -- file formats -----------------------------------------------------------------------------------------------
def _shell_file(f: _File) -> None:
    f.script(Script(f.source))


def _procfile(f: _File) -> None:
    for m in re.finditer(rb"(?m)^[ \t]*[\w.-]+[ \t]*:[ \t]*(.*)$", f.source):
        if b"gunicorn" in m.group(1).lower():
            f.script(Script(m.group(1), base=m.start(1)))


_INSTRUCTION = re.compile(rb"(?im)^[ \t]*(RUN|CMD|ENTRYPOINT|ENV)[ \t]+")
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')


def _instructions(src: bytes):
    """(keyword, start of arguments, end) of each Dockerfile instruction, continuation lines included."""
    end = 0
    for m in _INSTRUCTION.finditer(src):
        if m.start() < end:
            continue  # a continuation line that happens to start with `env …`
        end = src.find(b"\n", m.end())
        end = len(src) if end < 0 else end
        while src[:end].rstrip(b" \t\r").endswith(b"\\"):
            nxt = src.find(b"\n", end + 1)
            end = len(src) if nxt < 0 else nxt
        yield m.group(1).upper(), m.end(), end


def _json_words(src: bytes, a: int, b: int) -> list[Word] | None:
    """Words of an exec-form JSON array, or None when Docker would read the text as shell form."""
    try:
        argv = json.loads(re.sub(rb"\\\r?\n", b"", src[a:b]))
    except ValueError:
        return None
    if not isinstance(argv, list) or not all(isinstance(x, str) for x in argv):
        return None
    words = []
    for m in _JSON_STRING.finditer(src, a, b):
        found, i = [], m.start() + 1
        while i < m.end() - 1:
            if src[i] != 0x5C:
                found.append(Unit(src[i : i + 1], i, i + 1, outer=m.span()))
                i += 1
                continue
            j = i + (6 if src[i + 1] == ord("u") else 2)
            text = json.loads(b'"' + src[i:j] + b'"').encode(errors="surrogatepass")
            found.append(Unit(text, i, j, outer=m.span()))
            i = j
        words.append(Word(tuple(found), *m.span()))
    return words


def _dockerfile(f: _File) -> None:
    src, entrypoint = f.source, []
    for keyword, a, b in _instructions(src):
        ours = b"gunicorn" in src[a:b].lower()
        if keyword == b"ENV":
            legacy = re.match(rb"GUNICORN_CMD_ARGS[ \t]+(?!=)", src[a:b])  # `ENV KEY value…`, the old form
            if legacy:
                f.cmd_args(literal_units(src, a + legacy.end(), b), f.line(a))
            elif ours:
                f.script(Script(src[a:b], base=a))
            continue
        words = _json_words(src, a, b)
        if keyword == b"ENTRYPOINT":
            entrypoint = words or []  # a shell-form ENTRYPOINT ignores CMD
        if words is None:
            if ours:
                f.script(Script(src[a:b], base=a))
        elif keyword == b"CMD" and entrypoint:
            # exec-form CMD is appended to an exec-form ENTRYPOINT: `ENTRYPOINT ["gunicorn"]` + `CMD ["--…"]`;
            # keep what lies in the CMD, the ENTRYPOINT was read on its own.
            before = len(f.found)
            f.argv(entrypoint + words)
            for found in f.found[before:]:
                found.edits = [e for e in found.edits if e[0] >= a]
                flags = tuple(fl for fl in found.invocation.flags if fl.line >= f.line(a))
                found.invocation = dataclasses.replace(found.invocation, flags=flags)
            f.found[before:] = [found for found in f.found[before:] if found.invocation.flags]
        elif ours:
            f.argv(words)


_PROGRAM = re.compile(rb"(?ms)^\[(?:fcgi-)?program:[^\]\n]*\][^\n]*\n(.*?)(?=^\[|\Z)")
_COMMAND = re.compile(rb"(?mi)^command[ \t]*[=:][ \t]*")


def _supervisord(f: _File) -> None:
    """`command=` of each [program:x]; supervisord shlex-splits it, continuation lines (indented) included."""
    src = f.source
    for section in _PROGRAM.finditer(src):
        for m in _COMMAND.finditer(src, section.start(1), section.end(1)):
            value: list[Unit] = []
            pos = m.end()
            while pos < section.end(1):
                eol = src.find(b"\n", pos, section.end(1))
                eol = section.end(1) if eol < 0 else eol
                line = src[pos:eol]
                if value and (not line.strip() or line[:1] not in (b" ", b"\t")):
                    break
                comment = re.search(rb"[ \t][;#]", line)  # supervisord's inline comments
                value += literal_units(src, pos, pos + comment.start() if comment else eol) + [Unit(b"\n", eol, eol)]
                pos = eol + 1
            if b"gunicorn" in b"".join(u.shown for u in value).lower():
                f.argv(split(value))


def _yaml_units(node: yaml.ScalarNode, text: str, to_byte) -> tuple[list[Unit], bytes]:
    """Units of a YAML scalar, and what to write for a whole plain scalar becoming `-` (YAML wants it quoted)."""
    src = text.encode()
    a, b = to_byte(node.start_mark.index), to_byte(node.end_mark.index)
    if node.style in ("|", ">"):
        return literal_units(src, src.find(b"\n", a) + 1, b, newline=b" " if node.style == ">" else b"\n"), b"-"
    if node.style is None:
        return literal_units(src, a, b, newline=b" "), b'"-"'
    out, i = [], a + 1
    while i < b - 1:
        if node.style == "'" and src[i : i + 2] == b"''":
            out.append(Unit(b"'", i, i + 2, outer=(a, b)))
            i += 2
        elif node.style == '"' and src[i] == 0x5C:
            ch = src[i + 1 : i + 2]
            if ch != b"\n":
                out.append(Unit({b"n": b"\n", b"t": b"\t"}.get(ch, ch), i, i + 2, outer=(a, b)))
            i += 2
        else:
            out.append(Unit(b" " if src[i] == 0x0A else src[i : i + 1], i, i + 1, outer=(a, b)))
            i += 1
    return out, b"-"


def _compose(f: _File) -> None:
    text = f.source.decode()
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as e:
        raise Refusal(f"does not parse: {str(e).splitlines()[0]}") from None

    def to_byte(index: int) -> int:
        return len(text[:index].encode())

    def words_of(node) -> list[Word]:
        if node is None:
            return []
        if isinstance(node, yaml.ScalarNode):
            return split(_yaml_units(node, text, to_byte)[0])
        words = []
        for item in node.value if isinstance(node, yaml.SequenceNode) else []:
            found, dash = _yaml_units(item, text, to_byte) if isinstance(item, yaml.ScalarNode) else ([], b"")
            if found:
                start, end = found[0].outer or (found[0].start, found[-1].end)
                words.append(Word(tuple(found), start, end, dash=dash))
        return words

    services = _get(root, "services")
    for _, service in getattr(services, "value", []) if isinstance(services, yaml.MappingNode) else []:
        f.argv(words_of(_get(service, "entrypoint")) + words_of(_get(service, "command")))
        env = _get(service, "environment")
        if isinstance(env, yaml.MappingNode):
            for key, value in env.value:
                if key.value == "GUNICORN_CMD_ARGS" and isinstance(value, yaml.ScalarNode):
                    f.cmd_args(_yaml_units(value, text, to_byte)[0], f.line(to_byte(value.start_mark.index)))
        elif isinstance(env, yaml.SequenceNode):
            for item in env.value:
                if isinstance(item, yaml.ScalarNode) and item.value.startswith("GUNICORN_CMD_ARGS="):
                    found = _yaml_units(item, text, to_byte)[0]
                    at = next(k for k, u in enumerate(found) if u.text == b"=")
                    f.cmd_args(found[at + 1 :], f.line(found[0].start))


def _get(node, key: str):
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v
    return None


# -- Gunicorn config modules (libcst) ---------------------------------------------------------------------------
class GunicornConfig(cst.CSTTransformer):
    """Set module-level `accesslog` / `errorlog` of a Gunicorn config module to "-"; run it through a
    `cst.MetadataWrapper`, which provides the line numbers."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self) -> None:
        super().__init__()
        self.flags: list[LogFlag] = []
        self.problems: list[str] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # assignments in functions and classes are not the module's settings

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
        names = [t.target.value for t in original.targets if isinstance(t.target, cst.Name)]
        return updated.with_changes(value=self._value(original, names, original.value))

    def leave_AnnAssign(self, original: cst.AnnAssign, updated: cst.AnnAssign) -> cst.AnnAssign:
        if original.value is None or not isinstance(original.target, cst.Name):
            return updated
        return updated.with_changes(value=self._value(original, [original.target.value], original.value))

    def _value(self, node: cst.CSTNode, names: list[str], value: cst.BaseExpression) -> cst.BaseExpression:
        settings = [n for n in names if n in ("accesslog", "errorlog")]
        if not settings:
            return value
        line = self.get_metadata(PositionProvider, node).start.line
        simple = isinstance(value, cst.SimpleString)
        shown = str(value.evaluated_value) if simple else cst.Module([]).code_for_node(value)  # type: ignore[union-attr]
        self.flags += [LogFlag(s, s, shown, line) for s in settings]
        if (simple and shown == "-") or (isinstance(value, cst.Name) and value.value == "None"):
            return value  # already stdout, or no access log at all
        call = _decided_at_run_time(value)
        if call or len(settings) != len(names):
            why = f"comes from `{call}`, code fixbot will not drop" if call else "is assigned together with other names"
            self.problems.append(f"{settings[0]} on line {line} {why}; set it to '-' by hand")
            return value
        if simple:
            return value.with_changes(value=value.prefix + value.quote + "-" + value.quote)  # type: ignore[union-attr]
        return cst.SimpleString('"-"')


def _decided_at_run_time(value: cst.BaseExpression) -> str | None:
    """The code of a call in the value that runs the project's code (not a path helper or env lookup), else None."""
    stack: list[cst.CSTNode] = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Call):
            func = node.func
            name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
            if name not in _PATH_CALLS:
                return cst.Module([]).code_for_node(node)
        if isinstance(node, cst.Await):
            return cst.Module([]).code_for_node(node)
        stack.extend(node.children)
    return None


def _config_module(source: str) -> tuple[str, GunicornConfig]:
    from codemods._python import TOO_DEEP, parse_module

    try:
        module = parse_module(source)
    except cst.ParserSyntaxError as e:
        raise Refusal(f"does not parse: line {e.raw_line}: {e.message}") from None
    transformer = GunicornConfig()
    try:
        # The tree was parsed here and nothing else holds it: the wrapper need not deep-copy it.
        result = cst.MetadataWrapper(module, unsafe_skip_copy=True).visit(transformer)
        return result.code, transformer
    except RecursionError:  # libcst visits recursively: a tree CPython still takes can be too deep for it
        raise Refusal(TOO_DEEP) from None


# The libcst.tool entry point lives in codemods/_libcst_commands.py, so that importing this module does not
# import libcst.codemod (and libcst.matchers, ~200 ms); libcst.tool finds it with getattr.
__getattr__, __dir__ = lazy_commands(__name__, "GunicornConfigCommand")


# -- dispatch ---------------------------------------------------------------------------------------------------
_KINDS = (
    ("python", SOURCE_FILES),
    ("dockerfile", ("dockerfile*", "*.dockerfile", "containerfile*")),
    ("procfile", ("procfile*",)),
    ("compose", ("*.yml", "*.yaml")),
    ("supervisord", ("supervisor*.conf", "*.ini", "supervisor*/*.conf", "*/supervisor*/*.conf")),
    ("shell", ("*.sh", "*.bash", "entrypoint*", "docker-entrypoint*", "start", "run")),
)
_READERS = {"dockerfile": _dockerfile, "procfile": _procfile, "compose": _compose, "supervisord": _supervisord,
            "shell": _shell_file}


def _kind(source: str, filename: str) -> str | None:
    path = filename.replace("\\", "/").lower()
    name = posixpath.basename(path)
    for kind, patterns in _KINDS:
        if any(fnmatch(name, p) or fnmatch(path, p) for p in patterns):
            return kind
    if re.match(r"#!\S*(/|env\s+)(ba|da|z|k)?sh\b", source):
        return "shell"
    if "[program:" in source:
        return "supervisord"
    return None


def _scan(source: str, filename: str) -> _File | None:
    """Everything found in the file (None for a file without Gunicorn); Refusal if it cannot be read."""
    kind = _kind(source, filename)
    if kind == "python" or "gunicorn" not in source.lower():
        return None
    if kind is None:
        raise Refusal(f"cannot tell what kind of file {posixpath.basename(filename) or 'this'} is")
    f = _File(source.encode())
    _READERS[kind](f)
    return f


def find_invocations(source: str, filename: str) -> list[Invocation]:
    """Each place in the file that starts or configures Gunicorn, with its log flags as written.

    Raises Refusal when the file does not parse or its kind cannot be told from its name and shebang.
    """
    if _kind(source, filename) == "python":
        _, config = _config_module(source)
        return [Invocation(1, "config", tuple(config.flags))] if config.flags else []
    f = _scan(source, filename)
    return [] if f is None else [found.invocation for found in f.found]


def _apply(source: bytes, edits: list[Edit]) -> bytes:
    out, last = [], len(source)
    for a, b, text in sorted(set(edits), reverse=True):
        if b > last:
            raise Refusal("internal: overlapping edits; not touching the file")
        out.append(source[b:last])
        out.append(text)
        last = a
    out.append(source[:last])
    return b"".join(reversed(out))


def _log_dir_lines(source: bytes, edits: list[Edit], dirs: set[str]) -> list[Edit]:
    """Edits deleting top-level `mkdir`/`chown`/`chmod` lines for `dirs`, when nothing else in the file names them."""
    script = Script(source)
    tree = script.parse()
    candidates: list[tuple[Edit, set[str]]] = []
    for node in tree.root_node.named_children:
        if node.type != "command":
            continue
        words = command_words(node, tree.root_node, script)
        if _base(words[0]) not in ("mkdir", "chown", "chmod"):
            continue
        args = [w.shown.decode(errors="replace") for w in words[1:] if not w.shown.startswith(b"-")]
        paths = args[1:] if _base(words[0]) != "mkdir" else args  # chown OWNER …, chmod MODE …
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
        text = _norm(_apply(source, edits + removing).decode(errors="replace"))
        still = {d for d in keep if d in text}
        if not still:
            return removing
        keep -= still


def _norm(path: str) -> str:
    return re.sub(r"\$\{(\w+)\}", r"$\1", path)


class GunicornStdout(Codemod):
    NAME = "gunicorn-stdout"
    DESCRIPTION = (
        "Set Gunicorn's --access-logfile, --error-logfile and --log-file (and accesslog/errorlog in a config module) "
        "to '-' so logs go to stdout/stderr, wherever Gunicorn is started: shell scripts (also inside bash -c and "
        "su -c strings), Dockerfiles, Procfiles, supervisord programs, docker-compose services, GUNICORN_CMD_ARGS."
    )
    HANDLES = ("gunicorn-logfile",)
    FILES = (
        "*.sh", "*.bash", "entrypoint*", "docker-entrypoint*", "start", "run",
        "Dockerfile*", "*.Dockerfile", "*.dockerfile", "Containerfile*", "Procfile*",
        "gunicorn*.py", "*gunicorn*.conf.py", "gunicorn_config.py", "gunicorn.conf.py",
        "supervisord*.conf", "supervisor*/*.conf", "*/supervisor*/*.conf", "*/supervisor*/*.ini",
        "docker-compose*.yml", "docker-compose*.yaml", "compose*.yml", "compose*.yaml",
    )
    EXAMPLES = (
        Example(
            "nested bash -c with continuations (the incident)",
            'sudo -u user nohup bash -c "\ngunicorn config.wsgi:application \\\n-b 0.0.0.0:${PORT} \\\n'
            '--access-logfile /tmp/backend_logs/access.log \\\n--error-logfile /tmp/backend_logs/error.log\n" &\n',
            'sudo -u user nohup bash -c "\ngunicorn config.wsgi:application \\\n-b 0.0.0.0:${PORT} \\\n'
            '--access-logfile - \\\n--error-logfile -\n" &\n',
            filename="entrypoint.sh",
        ),
        Example(
            "drop the log directory's mkdir",
            "mkdir -p /var/log/app\nexec gunicorn app:app --error-logfile=/var/log/app/error.log\n",
            "exec gunicorn app:app --error-logfile=-\n",
            filename="entrypoint.sh",
            options={"remove_log_dirs": True},
        ),
        Example(
            "Dockerfile exec form",
            'CMD ["gunicorn", "--access-logfile", "/logs/access.log", "app.wsgi"]\n',
            'CMD ["gunicorn", "--access-logfile", "-", "app.wsgi"]\n',
            filename="Dockerfile",
        ),
        Example(
            "config module",
            'bind = "0.0.0.0:8000"\naccesslog = \'/var/log/gunicorn/access.log\'\npidfile = "/tmp/gunicorn.pid"\n',
            'bind = "0.0.0.0:8000"\naccesslog = \'-\'\npidfile = "/tmp/gunicorn.pid"\n',
            filename="gunicorn.conf.py",
        ),
        Example("already on stdout", "web: gunicorn app:app --log-file -\n", filename="Procfile"),
        Example("no gunicorn", "#!/bin/sh\nexec uwsgi --ini app.ini\n", filename="entrypoint.sh"),
        Example(
            "path from a command substitution",
            'exec gunicorn app:app --error-logfile "$(mktemp -d)/error.log"\n',
            refuses="cannot see into",
            filename="start.sh",
        ),
        Example(
            "path from the project's own code",
            'from app.paths import log_path\nerrorlog = log_path("gunicorn")\n',
            refuses="code fixbot will not drop",
            filename="gunicorn.conf.py",
        ),
    )

    @classmethod
    def rewrite(cls, source: str, filename: str = "", **options: Any) -> str:
        """`remove_log_dirs=True` also drops the script's mkdir/chown/chmod lines for the replaced directories."""
        kind = _kind(source, filename)
        if kind == "python":
            code, config = _config_module(source)
            if config.problems:
                raise Refusal(config.problems[0])
            return code
        f = _scan(source, filename)
        if f is None:
            return source
        problems = [found.problem for found in f.found if found.problem]
        if problems:
            raise Refusal(problems[0])
        edits = [e for found in f.found for e in found.edits]
        if not edits:
            return source
        if options.get("remove_log_dirs") and kind == "shell":
            dirs = {_norm(d) for found in f.found for d in found.dirs} - _SYSTEM_DIRS
            edits += _log_dir_lines(f.source, edits, dirs)
        result = _apply(f.source, edits)
        if kind == "shell" and parse_error(Script(result).parse()):
            raise Refusal("internal: the rewrite would not parse; not touching the file")
        return result.decode()
