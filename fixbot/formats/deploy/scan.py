"""Find Gunicorn (or another `Program`) in the words of a command line or script, with the settings a kind asks for, and edit them as its codemod decides."""

from __future__ import annotations

import dataclasses
import posixpath
import re
from dataclasses import dataclass, field
from typing import Callable

from tree_sitter import Node

from fixbot.formats import Refusal
from fixbot.formats.deploy.edits import Anchor, Change, Edit, Target, add_words, apply_edits, drop_words, set_value
from fixbot.formats.deploy.gunicorn_options import SWITCHES, option_for, setting_of
from fixbot.formats.deploy.words import Script, Unit, Word, check_nesting, command_words, parse_error, split, units

__all__ = ["Anchor", "Change", "Edit", "GUNICORN", "Invocation", "LOG_SETTINGS", "LogFlag", "Program", "Scan",
           "apply_edits", "program_name", "variables"]

# The settings a Program reads unless a kind asks for others: Gunicorn's log files.
LOG_SETTINGS = frozenset({"accesslog", "errorlog"})
_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "ash", "mksh"})
_SU = frozenset({"su", "runuser"})
# gunicorn is an argument here, not the program being run.
_NOT_RUNNERS = frozenset(
    {"echo", "printf", "which", "type", "pgrep", "pkill", "killall", "grep", "test", "[", "pip", "pip3", "apt-get",
     "apk", "supervisorctl", "systemctl"}
)
_VARIABLE = re.compile(rb"\$\{?(\w+)(?:\[[@*]\])?\}?")
_INSTALLS = frozenset({b"install", b"add", b"uninstall", b"remove"})


@dataclass(frozen=True)
class LogFlag:
    """One setting of the program as written: `setting` is Gunicorn's name for it (accesslog, pidfile,
    worker_tmp_dir…), `flag` how the file spells it, `value` its value as written."""

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
    daemon: str | None = None  # where it is told to daemonise ("-D on line 3"), which sends stdio to /dev/null
    inherits: bool = False  # --enable-stdio-inheritance: a daemon keeps its stdout and stderr
    command: str | None = None  # the program's command, for one that has them (`celery … beat`)


@dataclass(frozen=True)
class Program:
    """Which program a scan looks for, and how its arguments are read: `args(scan, words, kind, line, found)`
    records the program's `settings` (the ones a kind asked for) and where they are on `found` (a new invocation
    when None). `env` names the variable whose value the program reads as more flags (GUNICORN_CMD_ARGS)."""

    name: str
    args: Callable[..., None]
    env: bytes | None = None
    settings: frozenset[str] = LOG_SETTINGS
    spell: Callable[[str], str] = option_for  # the option that sets a setting, for the options a codemod adds
    # What rewrite() makes of each setting when no codemod says (Gunicorn's: its logs to `-`); None: nothing
    # beyond the edits made while reading (Celery's dropped --logfile).
    default: Callable[..., "Change | None"] | None = None

    def reading(self, settings: frozenset[str] | set[str] | tuple[str, ...]) -> Program:
        """The same program, read for `settings` instead."""
        return dataclasses.replace(self, settings=frozenset(settings))

    def named_in(self, text: bytes) -> bool:
        return self.name.encode() in text.lower()


@dataclass
class _Found:
    invocation: Invocation
    edits: list[Edit] = field(default_factory=list)  # made while reading, by a Program that decides them itself
    targets: list[tuple[LogFlag, Target]] = field(default_factory=list)  # where each setting's value is
    anchor: Anchor | None = None  # where new options go
    dirs: list[str] = field(default_factory=list)  # directories of the log paths being replaced
    problem: str | None = None
    variables: list[bytes] = field(default_factory=list)  # `$OPTS` / "${ARGS[@]}" expanded among its arguments
    state: dict[str, object] = field(default_factory=dict)  # what a Program's `args` keeps between its calls


class Scan:
    """What was found in one file: invocations, each with where its settings are, edited as a codemod decides."""

    def __init__(self, source: str, program: Program | None = None):
        self.program = program or GUNICORN
        self.text = source
        self.source = source.encode()
        self.found: list[_Found] = []
        self.assigned: list[tuple[bytes, Node, Script, int]] = []  # shell variable assignments, for `$OPTS`
        self.leading: Word | None = None  # the program's own word, while its arguments are read

    @classmethod
    def of(cls, source: str, read: Callable[[Scan], None], program: Program | None = None) -> Scan | None:
        """The scan `read` fills in from `source`; None, read by no one, when the file does not name the program."""
        program = program or GUNICORN
        if program.name not in source.lower():
            return None
        scan = cls(source, program)
        read(scan)
        return scan

    def line(self, offset: int) -> int:
        return self.source.count(b"\n", 0, offset) + 1

    def names(self, text: bytes) -> bool:
        """Whether `text` names the program this scan looks for (a reader's cheap test before it parses)."""
        return self.program.named_in(text)

    def invocation(self, line: int, kind: str) -> _Found:
        """A new invocation found at `line`, for a Program's `args` to fill in."""
        found = _Found(Invocation(line, kind, ()))
        self.found.append(found)
        return found

    # -- argv ---------------------------------------------------------------------------------------------------
    def argv(self, words: list[Word]) -> Word | None:
        """Look for Gunicorn in one command line; returns the word of a nested script it read (`bash -c WORD`)."""
        if not words or program_name(words[0]) in _NOT_RUNNERS:
            return None
        at = next((i for i, w in enumerate(words) if program_name(w) == self.program.name), len(words))
        for i in range(at):  # only before the program: gunicorn's own `-c` is a config file
            script = _script_argument(program_name(words[i]), words[:at], i)
            if script is not None:
                self.script(Script.of(script), nested=f"{program_name(words[i])} -c")
                return script
        if at < len(words) and not _INSTALLS.intersection(w.static for w in words[:at]):
            before = len(self.found)
            self.leading = words[at]  # an option dropped right after the program takes the blanks before it
            self.program.args(self, words[at + 1 :], "command", self.line(words[at].start))
            self.leading = None
            for found in self.found[before:]:
                if found.anchor is None:  # a Program may anchor on its command word itself (`celery … beat`)
                    found.anchor = Anchor(words[at], words[at + 1] if at + 1 < len(words) else None,
                                          words[at - 1] if at else None)
        return None

    def gunicorn_args(self, words: list[Word], kind: str, line: int, found: _Found | None = None) -> None:
        """Read Gunicorn's arguments; with `found`, they are more arguments of that invocation (from a variable)."""
        if found is None:
            found = self.invocation(line, kind)
        flags, config = list(found.invocation.flags), found.invocation.config
        i = 0
        while i < len(words):
            word, prefix = words[i], words[i].prefix
            if prefix == b"--" and word.static is not None:
                break  # argparse: everything after `--` is positional
            name, eq, _ = prefix.partition(b"=")
            setting, flag = _setting(name.decode(errors="replace"), self.program.settings)
            attached = not eq and _attached(prefix, self.program.settings) and word.static is not None
            if setting in SWITCHES and word.static is not None:  # a switch asked for (--no-control-socket)
                lead = [self.leading] if self.leading is not None else []
                drop = drop_words(self.source, lead + words, i + len(lead), i + len(lead))
                flags.append(self.value(found, setting, flag, word, (), word.end, self.line(word.start), drop))
            elif setting and (eq or word.static is not None) or attached:
                first = i
                if eq or attached:
                    at = next(k for k, u in enumerate(word.units) if u.text == b"=") + 1 if eq else 2
                    value, insert = word.units[at:], word.units[at - 1].end
                    owner, flag = word, flag if eq else flag[:2]
                    setting = setting or setting_of(flag)
                elif i + 1 < len(words):
                    i += 1
                    owner = words[i]
                    value, insert = owner.units, owner.start
                else:
                    break
                lead = [self.leading] if self.leading is not None else []
                drop = drop_words(self.source, lead + words, first + len(lead), i + len(lead))
                flags.append(self.value(found, setting, flag, owner, tuple(value), insert, self.line(word.start), drop))
            elif name in (b"-c", b"--config") and (eq or i + 1 < len(words)):
                config = _shown(word.units[len(name) + 1 :]) if eq else words[i + 1].shown.decode(errors="replace")
                i += 0 if eq else 1
            elif prefix.startswith(b"-c") and not prefix.startswith(b"--") and word.static is not None:
                config = word.static[2:].decode(errors="replace")
            elif word.static is not None and _switch(word.static, b"-D", b"--daemon", 4):
                flag = word.static.decode(errors="replace")
                found.state.setdefault("daemon", f"{flag} on line {self.line(word.start)}")
            elif word.static is not None and _switch(word.static, b"-R", b"--enable-stdio-inheritance", 10):
                found.state["inherits"] = True
            i += 1
            found.variables += variables(word)
        found.invocation = dataclasses.replace(found.invocation, flags=tuple(flags), config=config,
                                               daemon=found.state.get("daemon"), inherits="inherits" in found.state)

    def value(self, found: _Found, setting: str, flag: str, word: Word, value: tuple[Unit, ...], insert: int,
              line: int, drop: Edit | None = None) -> LogFlag:
        """Record where one setting's value is, for the codemod's edit (rewrite)."""
        found.targets.append((LogFlag(setting, flag, _shown(value), line), Target(word, value, insert, drop or (0, 0, b""))))
        return found.targets[-1][0]

    def cmd_args(self, value: tuple[Unit, ...] | list[Unit], line: int) -> None:
        """GUNICORN_CMD_ARGS: Gunicorn shlex-splits it and reads it as more command-line flags."""
        self.gunicorn_args(split(value), "env", line)

    # -- shell --------------------------------------------------------------------------------------------------
    def script(self, script: Script, nested: str = "") -> None:
        tree = script.parse()
        error = parse_error(tree)
        if error:
            if nested and not self.names(script.text):
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
                    if self.program.env is not None and name.text == self.program.env:
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
                    self.program.args(self, words, found.invocation.kind, line, found)


    # -- the result ---------------------------------------------------------------------------------------------
    @property
    def invocations(self) -> list[Invocation]:
        return [found.invocation for found in self.found]

    def rewrite(self, change: Callable[[LogFlag], Change | None] | None = None,
                add: Callable[[Invocation], tuple[tuple[str, str], ...]] | None = None, **options: object) -> str:
        """The file with each setting as `change` decides (its new value, dropped, or None: as it is) and the
        (setting, value) pairs `add` asks for put after each program's name, as its options; Refusal when a value to change cannot be seen into.
        Without `change`, every log setting goes to `-` (gunicorn-stdout's decision, with its daemon refusal)."""
        edits: list[Edit] = []
        problems: list[str] = []
        for found in self.found:
            if found.problem:
                problems.append(found.problem)
            edits += found.edits
            touched = False
            decide = change or self.program.default
            for flag, target in found.targets if decide is not None else ():
                decided = decide(flag, target)
                if decided is None:
                    continue
                if target.opaque:
                    problems.append(f"the value of {flag.flag} on line {flag.line} comes from `{flag.value}`, which "
                                    "fixbot cannot see into")
                    continue
                touched = True
                edits += [target.drop] if decided.value is None else set_value(target, decided.value.encode())
                if change is None:
                    found.dirs.append(posixpath.dirname(flag.value))
            more = add(found.invocation) if add is not None else ()
            if more:
                words = [w for setting, value in more for w in (self.program.spell(setting), value) if w is not None]
                edits.append(add_words(self.source, found.anchor, words, found.invocation.line))
            if change is None and touched and (why := _daemon(found)):
                problems.append(why)
        if problems:
            raise Refusal(problems[0])
        if not edits:
            return self.text
        result = apply_edits(self.source, edits + self.more_edits(edits, options))
        self.check(result)
        return result.decode()

    def more_edits(self, edits: list[Edit], options: dict[str, object]) -> list[Edit]:
        """Edits a format makes besides the flags' (a shell script drops its log directory's mkdir)."""
        return []

    def check(self, result: bytes) -> None:
        """Refusal when the rewritten file would no longer read as its format."""


GUNICORN = Program("gunicorn", Scan.gunicorn_args, env=b"GUNICORN_CMD_ARGS", default=lambda flag, target: _to_stdout(flag, target))


def variables(word: Word) -> list[bytes]:
    """The names of the variables a word expands whole (`$OPTS`, "${ARGS[@]}"), to read their values as arguments."""
    return [m.group(1) for u in word.units if u.text is None and (m := _VARIABLE.fullmatch(u.raw))]


def program_name(word: Word) -> str:
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


def _switch(word: bytes, short: bytes, long: bytes, shortest: int) -> bool:
    """Whether `word` is the flag `short`/`long`, or a prefix of `long` that Gunicorn's argparse takes for it."""
    return word == short or (len(word) >= shortest and long.startswith(word))


def _daemon(found: _Found) -> str | None:
    """Why a daemonised Gunicorn cannot log to `-`: daemonize() (gunicorn/util.py) points its stdout and stderr
    at /dev/null, unless --enable-stdio-inheritance keeps them."""
    where = found.invocation.daemon
    if not where or found.invocation.inherits:
        return None
    return (f"the Gunicorn started on line {found.invocation.line} runs as a daemon ({where}), which sends its "
            "stdout and stderr to /dev/null: logs pointed at '-' would be lost; run it in the foreground (its "
            "supervisor or journald keeps stderr) or add --enable-stdio-inheritance, then rerun fixbot")


def _setting(name: str, settings: frozenset[str] = LOG_SETTINGS) -> tuple[str | None, str]:
    """The setting of `settings` an option as written names (argparse abbreviations: gunicorn_options), and the
    option as written."""
    setting = setting_of(name)
    return (setting if setting in settings else None), name


def _attached(prefix: bytes, settings: frozenset[str]) -> bool:
    """`-p/run/app.pid`: a short option of one of `settings` with its value in the same word."""
    short = prefix[:2].decode(errors="replace")
    return (len(prefix) > 2 and not prefix.startswith(b"--") and setting_of(short) in settings
            and setting_of(short) not in SWITCHES)


def _to_stdout(flag: LogFlag, target: Target) -> Change | None:
    """gunicorn-stdout's decision for a log setting: `-`, unless it is `-` already."""
    return None if flag.value == "-" and not any(u.text is None for u in target.value) else Change("-")


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
