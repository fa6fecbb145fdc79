"""Every place a repository makes a directory exist in its container: Dockerfiles, start scripts, volumes, tracked dirs.

Read-only and conservative: whatever might create a directory counts (every stage of every Dockerfile, every
script's `mkdir`, every volume), so that a directory missing from `Dirs` is one nothing in the repository makes.
`Dirs.known` is False when the container's starting point is an image fixbot does not know (its base may hold
the directory); then nothing is judged.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from fixbot.formats import named, wildcard

# What every Linux base image (Debian, Ubuntu, Alpine and the official language images built on them) has.
BASE_DIRS = frozenset({"/", "/tmp", "/var", "/var/log", "/var/tmp", "/var/lib", "/var/cache", "/run", "/var/run",
                       "/dev", "/usr", "/usr/local", "/usr/src", "/etc", "/opt", "/home", "/root", "/srv", "/mnt"})
# Official images fixbot trusts to hold only BASE_DIRS (plus their own install trees).
_OFFICIAL = re.compile(r"^(?:docker\.io/)?(?:library/)?(python|debian|ubuntu|alpine|node|buildpack-deps|pypy|"
                       r"busybox|fedora|centos|rockylinux|almalinux|amazonlinux|golang|rust|ruby|nginx|scratch)"
                       r"(?::[\w.-]+)?(?:@sha256:[0-9a-f]+)?$", re.I)
_SERVICE = re.compile(r"(?i)(postgres|postgis|redis|mysql|mariadb|mongo|elasticsearch|opensearch|rabbitmq|memcached|"
                      r"traefik|caddy|minio|nginx|httpd|haproxy|varnish)[^/]*$")
DOCKERFILES = ("dockerfile*", "*.dockerfile", "containerfile*")
SCRIPTS = ("*.sh", "*.bash", "entrypoint*", "docker-entrypoint*", "start", "startup", "run")
# Files that set variables or start scripts, and the names of scripts a deploy runs by itself.
_SETTERS = ("*.yml", "*.yaml", ".env", "*.env", "procfile*", "supervisor*.conf", "*.ini")
_STARTERS = ("entrypoint*", "docker-entrypoint*", "*entrypoint*.sh", "start*", "run*", "boot*", "init*")
_INSTRUCTION = re.compile(r"^[ \t]*([A-Za-z]+)[ \t]+(.*)$")


@dataclass(frozen=True)
class Made:
    path: str  # absolute, normalised
    file: str
    line: int
    how: str  # "WORKDIR", "VOLUME", "COPY", "mkdir", "install", "chown", "volume", "makedirs"
    pattern: tuple | None = None  # a path with unknown parts (`$LOG_DIR/app`): wildcard pieces of what it may be
    owner: str | None = None  # who owns it: "root", a user, "*" (chmod: anyone may write), None (unknown)

    def __str__(self) -> str:
        verb = {"volume": "mounts", "VOLUME": "declares the volume", "chown": "chowns", "chmod": "chmods"}.get(self.how, "creates")
        return f"{self.file}:{self.line} {verb} {self.path}"


@dataclass
class Dirs:
    made: list[Made] = field(default_factory=list)
    bases: list[str] = field(default_factory=list)  # FROM images nobody in the repository builds
    dockerfiles: int = 0
    users: list[str] = field(default_factory=list)  # the USER each Dockerfile's last stage runs as
    workdirs: list[str] = field(default_factory=list)  # the WORKDIR each Dockerfile's last stage starts in
    overridden: bool = False  # compose `user:` or Kubernetes `runAsUser` may run it as someone else
    moved: bool = False  # compose `working_dir:` or Kubernetes `workingDir` may start it elsewhere

    @property
    def cwd(self) -> str | None:
        """The directory every container starts in, when all Dockerfiles agree and nothing moves it."""
        found = set(self.workdirs)
        if len(found) != 1 or self.moved:
            return None
        cwd = found.pop()
        return None if "$" in cwd else cwd

    @property
    def known(self) -> bool:
        """Whether the container is described well enough to say a directory is missing from it (images of
        databases and proxies run none of the repository's configs, so their bases do not matter)."""
        return self.dockerfiles > 0 and all(_OFFICIAL.match(b) or _SERVICE.search(b) for b in self.bases)

    def exists(self, directory: str) -> Made | str | None:
        """What makes `directory` exist (a Made, or "base image"), None when nothing does."""
        directory = posixpath.normpath(directory)
        if directory in BASE_DIRS:
            return "base image"
        for made in sorted(self.made, key=lambda m: (m.how == "chown", m.pattern is not None, m.file, m.line)):
            if made.path == directory or made.path.startswith(directory.rstrip("/") + "/"):
                return made
            if made.pattern is not None and _may_be(made.pattern, directory):
                return made
        return None


def instructions(text: str):
    """(line, KEYWORD, arguments) of each Dockerfile instruction, continuation lines joined, comments skipped."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        start, line = i + 1, lines[i]
        while line.rstrip().endswith("\\") and i + 1 < len(lines):
            i += 1
            nxt = lines[i]
            if not nxt.lstrip().startswith("#"):
                line = line.rstrip()[:-1] + " " + nxt
        i += 1
        match = _INSTRUCTION.match(line)
        if match and not line.lstrip().startswith("#"):
            yield start, match.group(1).upper(), match.group(2).strip()


def _args(rest: str) -> list[str]:
    """An instruction's arguments, exec (JSON) form or words."""
    if rest.startswith("["):
        import json

        try:
            value = json.loads(rest)
            if isinstance(value, list):
                return [str(v) for v in value]
        except ValueError:
            pass
    return [w for w in rest.split() if not w.startswith("--")]


def dockerfile(file: str, text: str, tracked_dirs: set[str], dirs: Dirs, variables: dict | None = None) -> None:
    dirs.dockerfiles += 1
    context = posixpath.dirname(file)
    stages: set[str] = set()
    defined: dict[str, str] = {}
    workdir, user = "/", "root"
    for line, keyword, rest in instructions(text):
        # `ARG PYTHON_VERSION=3.12` / `ENV APP_HOME=/app` before `FROM python:${PYTHON_VERSION}`, `WORKDIR $APP_HOME`
        rest = re.sub(r"\$\{?(\w+)\}?", lambda m: defined.get(m.group(1), m.group(0)), rest)
        if keyword in ("ARG", "ENV"):
            pairs = re.findall(r"""(\w+)=("[^"]*"|'[^']*'|\S*)""", rest) or [tuple(rest.split(None, 1))]
            for name, value in (p for p in pairs if len(p) == 2):
                defined[name] = value.strip("\"'") if keyword == "ENV" else defined.get(name, value.strip("\"'"))
        if keyword == "FROM":
            words = rest.split()
            image = next((w for w in words if not w.startswith("--")), "")
            if image.lower() not in stages:  # a stage built above is no base image
                dirs.bases.append(image)
            if len(words) >= 3 and words[-2].lower() == "as":
                stages.add(words[-1].lower())
            workdir, user = "/", "root"
        elif keyword == "USER":
            user = rest.split(":")[0].strip() or "root"
        elif keyword == "WORKDIR":
            workdir = posixpath.normpath(posixpath.join(workdir, rest.strip("\"'")))
            dirs.made.append(Made(workdir, file, line, "WORKDIR"))
        elif keyword == "VOLUME":
            for path in _args(rest):
                dirs.made.append(Made(posixpath.normpath(posixpath.join(workdir, path)), file, line, "VOLUME"))
        elif keyword in ("COPY", "ADD"):
            args = _args(rest)
            if len(args) < 2 or "--from" in rest:
                continue  # another stage's files: its mkdirs were read with that stage
            dest = posixpath.join(workdir, args[-1])
            chown = re.search(r"--chown=([^:\s]+)", rest)
            for src in args[:-1]:
                _copy(src, dest, context, tracked_dirs, file, line, dirs, chown.group(1) if chown else "root")
        elif keyword == "RUN":
            dirs.made.extend(shell_made(rest, file, line, workdir, variables, owner=user))
    dirs.users.append("root" if user == "0" else user)
    dirs.workdirs.append(workdir)


def _copy(src: str, dest: str, context: str, tracked: set[str], file: str, line: int, dirs: Dirs, owner: str) -> None:
    """The directories `COPY src dest` brings into the image: tracked ones under src, from the Dockerfile's
    folder or the top of the repository (either may be the build context)."""
    src = src.strip("\"'").rstrip("/") or "."
    for root in {context, ""}:
        base = posixpath.normpath(posixpath.join(root, src)) if root else posixpath.normpath(src)
        base = "" if base == "." else base
        if base and base not in tracked:
            continue
        dirs.made.append(Made(posixpath.normpath(dest), file, line, "COPY", owner=owner))
        for d in tracked:
            if not base or d.startswith(base + "/"):
                relative = d[len(base) + 1:] if base else d
                dirs.made.append(Made(posixpath.normpath(posixpath.join(dest, relative)), file, line, "COPY", owner=owner))


_MKDIR_OPTS_WITH_VALUE = {"-m": "mode", "--mode": "mode", "-o": "owner", "--owner": "owner", "-g": "group",
                          "--group": "group"}


def _option_value(text: str, following: bytes | None) -> tuple[str, str | None, bool] | None:
    """(what, value, joined) for `-m 777`, `--mode=777`, `-m777`, `-o app`, `--owner=app`; None for another word.
    The value is None when the shell computes it; `joined` when it is in the same word."""
    if text in _MKDIR_OPTS_WITH_VALUE:
        return _MKDIR_OPTS_WITH_VALUE[text], following.decode(errors="replace") if following is not None else None, False
    long = re.match(r"^(--mode|--owner|--group)=(.*)$", text)
    if long:
        return _MKDIR_OPTS_WITH_VALUE[long.group(1)], long.group(2), True
    short = re.match(r"^-([mog])(.+)$", text)
    if short:
        return _MKDIR_OPTS_WITH_VALUE["-" + short.group(1)], short.group(2), True
    return None


def world_writable(mode: str) -> bool:
    """Whether a mkdir/install/chmod mode lets anyone write: octal with the others' write bit (777, 1777, 0777),
    or a symbolic clause that gives others write (a+w, o+w, ugo=rwx)."""
    if re.fullmatch(r"[0-7]{1,4}", mode):
        return bool(int(mode[-1]) & 2)
    return any(re.fullmatch(r"[ugoa]*[ao][ugoa]*[+=][rwxXst]*w[rwxXst]*", clause) for clause in mode.split(","))




def shell_made(script: str, file: str, line: int, cwd: str | None, variables: dict | None = None,
               deploy: bool = True, owner: str | None = None) -> list[Made]:
    """Directories a shell script's `mkdir`/`install -d` make or `chown` finds; relative ones only when `cwd` is
    known. `$VAR` takes the values the repository gives VAR (`variables`); a path still unknown counts as "may be
    any directory" only in a script the deploy runs (`deploy`), and is left out elsewhere."""
    from fixbot.formats.deploy.scan import program_name
    from fixbot.formats.deploy.words import Script, command_words

    out: list[Made] = []
    source = script.encode()
    tree = Script(source).parse()
    stack = [(tree.root_node, None)]
    while stack:
        node, parent = stack.pop()
        stack.extend((c, node) for c in node.children)
        if node.type != "command":
            continue
        try:
            words = command_words(node, parent, Script(source))
        except Exception:
            continue
        if not words:
            continue
        name = program_name(words[0])
        if name == "sudo" or name in ("gosu", "su-exec"):
            words = words[1:] if name == "sudo" else words[2:]
            while words and (words[0].static or b"").startswith(b"-"):
                words = words[2:] if words[0].static in (b"-u", b"-g") else words[1:]
            name = program_name(words[0]) if words else ""
        if name not in ("mkdir", "install", "chown", "chmod"):
            continue
        # chown only succeeds on what exists (a build step that fails stops the build; `set -e` a script)
        args, i, directory = words[1:], 0, name in ("mkdir", "chown", "chmod")
        paths: list[list[str] | tuple] = []
        given: dict[str, str | None] = {}  # install -o OWNER, mkdir/install -m MODE (None: not static)
        while i < len(args):
            static = args[i].static
            if static is None:
                paths.append(_expand(args[i].shown.decode(errors="replace"), variables or {}))
                i += 1
                continue
            text = static.decode(errors="replace")
            option = _option_value(text, args[i + 1].static if i + 1 < len(args) else None)
            if option is not None and name not in ("chown", "chmod"):
                given[option[0]] = option[1]
                i += 1 if option[2] else 2
                continue
            if text.startswith("-"):
                directory = directory or "d" in text.lstrip("-") or text == "--directory"
            else:
                paths.append([text])
            i += 1
        if not directory:
            continue
        made_by = owner if name in ("mkdir", "install") else "*"
        if "owner" in given and name == "install":
            made_by = given["owner"]  # who `install -o` hands it to (None: not known, so maybe the user)
        if "mode" in given and (given["mode"] is None or world_writable(given["mode"])):
            made_by = "*"  # `mkdir -m 777`: anyone may write
        if name in ("chown", "chmod"):  # chown OWNER PATH..., chmod MODE PATH...
            first = paths[0] if paths else None
            made_by = first[0].split(":")[0] if name == "chown" and isinstance(first, list) and first else "*"
            paths = paths[1:]
        where = line + source.count(b"\n", 0, node.start_byte)
        for path in paths:
            if isinstance(path, tuple):
                if deploy:
                    out.append(Made(wildcard.shown(path), file, where, name, path, made_by))
                continue
            for one in path:
                if one.startswith("/") or cwd is not None:
                    out.append(Made(posixpath.normpath(posixpath.join(cwd or "/", one)), file, where, name, owner=made_by))
    return out


_VAR = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+)")
MAX_PATHS = 256  # paths one word may expand to; past it, each `$VAR` stays a choice of its values (`mkdir -p $A$A…`)


def _may_be(pieces: tuple, directory: str) -> bool:
    """Whether the pieces of a made directory are `directory` or a directory above it, in linear time."""
    return wildcard.fullmatch(pieces, directory) or wildcard.fullmatch([*pieces, "/", wildcard.ANY], directory)


def _expand(shown: str, variables: dict[str, set[str]]) -> list[str] | tuple:
    """Every path a word with `$VAR`s may be, from the values the repository sets; wildcard pieces when some stay
    unknown (any text), or when they make more than MAX_PATHS paths (each `$VAR` one of its values)."""
    if "$(" in shown or "`" in shown:
        return _pattern(shown)
    pieces: list = []
    last, count = 0, 1
    for match in _VAR.finditer(shown):
        name = match.group(1) or match.group(3)
        values = variables.get(name) or ({match.group(2)} if match.group(2) else None)
        if not values:
            return _pattern(shown)
        pieces += [shown[last:match.start()].replace('"', "").replace("'", ""), tuple(sorted(values))]
        count, last = count * len(values), match.end()
    pieces.append(shown[last:].replace('"', "").replace("'", ""))
    if count > MAX_PATHS:
        absolute = pieces[0].startswith("/") or not pieces[0] and all(v.startswith("/") for v in pieces[1])
        return tuple(pieces) if absolute else (wildcard.ANY, *pieces)
    results = [""]
    for piece in pieces:
        results = [r + v for r in results for v in (piece if isinstance(piece, tuple) else (piece,))]
    return results


def _pattern(shown: str) -> tuple:
    """What a path with expansions may be: each `$X`/`${X…}` any text (a relative one may be anywhere)."""
    parts = [p.strip("\"'") for p in re.split(r"\$\{[^}]*\}|\$\w+|\$\([^)]*\)|`[^`]*`", shown)]
    pieces = (parts[0], *(p for part in parts[1:] for p in (wildcard.ANY, part)))
    return pieces if shown.startswith("/") else (wildcard.ANY, *pieces)


_ASSIGN = re.compile(r"""(?m)(?:^|[\s\[,{]|export\s+|ENV\s+)["']?([A-Z_][A-Z0-9_]*)["']?(?:=|:[ \t]+|[ \t]+(?=/))["']?(/[^\s"'$;&|`]*)""")


def variables(texts: dict[str, str]) -> dict[str, set[str]]:
    """Absolute paths the repository's deploy files give variables: `X=/p`, `ENV X /p`, compose `X: /p`."""
    found: dict[str, set[str]] = {}
    for text in texts.values():
        for match in _ASSIGN.finditer(text):
            found.setdefault(match.group(1), set()).add(match.group(2))
    return found


_PY_MKDIR = re.compile(r"\b(?:makedirs|mkdir)\(\s*(.*)")


def python_made(file: str, text: str) -> list[Made]:
    """`os.makedirs(...)` / `Path(...).mkdir(...)` in Python: a literal path, else "anything" for that file."""
    out = []
    for match in _PY_MKDIR.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        literal = re.match(r"""["'](/[^"']*)["']\s*[,)]""", match.group(1))
        if literal:
            out.append(Made(posixpath.normpath(literal.group(1)), file, line, "makedirs"))
        else:
            out.append(Made("a directory computed at run time", file, line, "makedirs", (wildcard.ANY,)))
    return out


_COMPOSE_VOLUME = re.compile(r"""(?m)^[ \t]*-[ \t]*["']?(?:[^:"'\s#]+):(/[^:"'\s#]*)""")
_TARGET = re.compile(r"""(?m)^[ \t]*(?:target|mountPath|mount_path)[ \t]*:[ \t]*["']?(/[^"'\s#]*)""")


def volumes(file: str, text: str, dirs: Dirs) -> None:
    """Compose `volumes:` (short `src:/dst` and long `target:` syntax) and Kubernetes `mountPath:`."""
    dirs.overridden = dirs.overridden or bool(re.search(r"(?m)^\s*(user|runAsUser)\s*:", text))
    dirs.moved = dirs.moved or bool(re.search(r"(?m)^\s*(working_dir|workingDir)\s*:", text))
    for pattern in (_COMPOSE_VOLUME, _TARGET):
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            dirs.made.append(Made(posixpath.normpath(match.group(1)), file, line, "volume"))


def collect(files: list[str], read) -> Dirs:
    """The directories `files` (repo-relative, the tracked ones) make exist; `read(file)` gives a file's text."""
    tracked_dirs = {posixpath.dirname(f) for f in files}
    for d in list(tracked_dirs):
        while d:
            d = posixpath.dirname(d)
            tracked_dirs.add(d)
    tracked_dirs.discard("")
    dirs = Dirs()
    texts = {f: read(f) or "" for f in files if named(f, DOCKERFILES + SCRIPTS + _SETTERS)}
    known = variables(texts)
    started = " ".join(t for f, t in texts.items() if not named(f, SCRIPTS))
    for file in files:
        lower = file.lower()
        if named(file, DOCKERFILES):
            text = read(file)
            if text is not None:
                dockerfile(file, text, tracked_dirs, dirs, known)
        elif named(file, SCRIPTS):
            text = read(file)
            if text is not None and any(w in text for w in ("mkdir", "install", "chown", "chmod")):
                deploy = named(file, _STARTERS) or posixpath.basename(file) in started
                dirs.made.extend(shell_made(text, file, 1, None, known, deploy))
        elif lower.endswith(".py"):
            text = read(file) if file.rsplit("/", 1)[-1].startswith(("settings", "gunicorn", "conf", "log")) or \
                "settings" in file.lower() or "config" in file.lower() else None
            if text is not None and ("mkdir" in text or "makedirs" in text):
                dirs.made.extend(python_made(file, text))
        elif lower.endswith((".yml", ".yaml")):
            text = read(file)
            if text is not None and any(w in text for w in ("volumes", "mountPath", "user", "orking")):
                volumes(file, text, dirs)
    return dirs
