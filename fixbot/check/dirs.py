"""Every place a repository makes a directory exist in its container: Dockerfiles, start scripts, volumes, tracked dirs.

Read-only and conservative: whatever might create a directory counts (every stage of every Dockerfile, every
script's `mkdir`, relative ones too, every volume and bind mount), so that a directory missing from `Dirs` is one
nothing in the repository makes. A `COPY` brings the tracked directories `.dockerignore` lets through
(check/dockerignore.py); a base image brings what check/images.py knows of it, and `Dirs.unknown` names the
ones it knows nothing of (their base may hold the directory: nothing is judged).
"""

from __future__ import annotations

import posixpath
import re

from fixbot.check import dockerignore, images
from fixbot.check.deploy import NOT_DEPLOY
from fixbot.check.made import Dirs, Made
from fixbot.check.mounts import volumes
from fixbot.formats import named, wildcard

__all__ = ["Dirs", "Made", "collect", "shell_made", "volumes", "world_writable"]

DOCKERFILES = ("dockerfile*", "*.dockerfile", "containerfile*")
SCRIPTS = ("*.sh", "*.bash", "entrypoint*", "docker-entrypoint*", "start", "startup", "run")
# Files that set variables or start scripts, and the names of scripts a deploy runs by itself.
_SETTERS = ("*.yml", "*.yaml", ".env", "*.env", "procfile*", "supervisor*.conf", "*.ini")
_STARTERS = ("entrypoint*", "docker-entrypoint*", "*entrypoint*.sh", "start*", "run*", "boot*", "init*")
_INSTRUCTION = re.compile(r"^[ \t]*([A-Za-z]+)[ \t]+(.*)$")
# A `cd` in a script: a relative path after it is relative to somewhere else.
_CD = re.compile(r"(?m)(^|[;&|(]\s*|\bthen\s+|\bdo\s+)(cd|pushd)\s")


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


def dockerfile(file: str, text: str, tracked, dirs: Dirs, variables: dict | None = None,
               substitute: images.Image | None = None) -> None:
    """What one Dockerfile makes exist. `tracked(context)` gives the repo-relative directories a build with that
    context receives (.dockerignore applied; a set: the same for every context); `substitute` stands for a base
    image check/images.py does not know (.fixbot.yml `deploy.image`)."""
    kept = tracked if callable(tracked) else (lambda context: tracked)
    dirs.dockerfiles += 1
    context = posixpath.dirname(file)
    stages: dict[str, tuple[str, str]] = {}  # a stage built above: where it left WORKDIR and USER
    defined: dict[str, str] = {}
    workdir, user, current, service = "/", "root", None, False
    for line, keyword, rest in instructions(text):
        # `ARG PYTHON_VERSION=3.12` / `ENV APP_HOME=/app` before `FROM python:${PYTHON_VERSION}`, `WORKDIR $APP_HOME`
        rest = re.sub(r"\$\{?(\w+)\}?", lambda m: defined.get(m.group(1), m.group(0)), rest)
        if keyword in ("ARG", "ENV"):
            pairs = re.findall(r"""(\w+)=("[^"]*"|'[^']*'|\S*)""", rest) or [tuple(rest.split(None, 1))]
            for name, value in (p for p in pairs if len(p) == 2):
                defined[name] = value.strip("\"'") if keyword == "ENV" else defined.get(name, value.strip("\"'"))
        if keyword == "FROM":
            if current is not None:
                stages[current] = (workdir, user)
            words = rest.split()
            image = next((w for w in words if not w.startswith("--")), "")
            service = False
            if image.lower() in stages:  # a stage built above is no base image: it starts where that one ended
                workdir, user = stages[image.lower()]
            else:
                workdir, user = _base(image, dirs, substitute, NOT_DEPLOY.search(file) is None)
                service = (found := images.lookup(image)) is not None and found.service
            current = words[-1].lower() if len(words) >= 3 and words[-2].lower() == "as" else None
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
                _copy(src, dest, context, kept, file, line, dirs, chown.group(1) if chown else "root")
        elif keyword == "RUN":
            dirs.made.extend(shell_made(rest, file, line, workdir, variables, owner=user))
    if not service:  # an nginx or database image runs none of the repository's processes
        dirs.users.append("root" if user == "0" else user)
        dirs.workdirs.append(workdir)


def _base(image: str, dirs: Dirs, substitute: images.Image | None, deploys: bool = True) -> tuple[str, str]:
    """(WORKDIR, USER) a stage starts with from a base image; its directories go into `dirs.base`, or its name
    into `dirs.unknown` when nothing is known of it (unless the Dockerfile is a test's or CI's: `deploys`)."""
    dirs.bases.append(image)
    found = images.lookup(image) if "$" not in image else None
    if found is None and substitute is not None:
        found = substitute
    if found is None:
        if deploys:
            dirs.unknown.append(image or "(none)")
        return "/", "root"
    if found.service:
        return "/", "root"
    dirs.base |= images.dirs_of(found)
    return found.workdir, found.user


def _copy(src: str, dest: str, context: str, kept, file: str, line: int, dirs: Dirs, owner: str) -> None:
    """The directories `COPY src dest` brings into the image: tracked ones under src that .dockerignore keeps,
    from the Dockerfile's folder or the top of the repository (either may be the build context)."""
    src = src.strip("\"'").rstrip("/") or "."
    for root in {context, ""}:
        tracked = kept(root)
        base = posixpath.normpath(posixpath.join(root, src)) if root else posixpath.normpath(src)
        base = "" if base == "." else base
        if base and base != root and base not in tracked:
            continue
        dirs.made.append(Made(posixpath.normpath(dest), file, line, "COPY", owner=owner))
        for d in sorted(tracked | dirs.tracked):
            if not base or d.startswith(base + "/"):
                relative = d[len(base) + 1:] if base else d
                made = Made(posixpath.normpath(posixpath.join(dest, relative)), file, line, "COPY", owner=owner)
                (dirs.made if d in tracked else dirs.ignored).append(made)


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
    """Directories a shell script's `mkdir`/`install -d` make or `chown` finds; a relative one against `cwd` when
    that is known and the script has no `cd`, else (in a script the deploy runs) as any directory with that
    ending. `$VAR` takes the values the repository gives VAR (`variables`); a path still unknown counts as "may be
    any directory" only in a script the deploy runs (`deploy`), and is left out elsewhere."""
    from fixbot.formats.deploy.scan import program_name
    from fixbot.formats.deploy.words import Script, command_words

    out: list[Made] = []
    moves = _CD.search(script) is not None
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
                if one.startswith("/") or (cwd is not None and not moves):
                    out.append(Made(posixpath.normpath(posixpath.join(cwd or "/", one)), file, where, name, owner=made_by))
                elif deploy and (tail := re.sub(r"^(\.\./)+", "", posixpath.normpath(one))) not in (".", ".."):
                    # relative to wherever the script runs: any directory that ends so (and none below it)
                    out.append(Made(one, file, where, name, (wildcard.ANY, "/" + tail), made_by, below=False))
    return out


_VAR = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+)")


MAX_PATHS = 256  # paths one word may expand to; past it, each `$VAR` stays a choice of its values (`mkdir -p $A$A…`)


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


def collect(files: list[str], read, declared=None) -> Dirs:
    """The directories `files` (repo-relative, the tracked ones) make exist; `read(file)` gives a file's text;
    `declared`: the environment .fixbot.yml or --platform declares (check/platforms.Declared), if any."""
    from fixbot.check import platforms

    tracked_dirs = {posixpath.dirname(f) for f in files}
    for d in list(tracked_dirs):
        while d:
            d = posixpath.dirname(d)
            tracked_dirs.add(d)
    tracked_dirs.discard("")
    dirs = Dirs(tracked=tracked_dirs)
    texts = {f: read(f) or "" for f in files if named(f, DOCKERFILES + SCRIPTS + _SETTERS)}
    known = variables(texts)
    started = " ".join(t for f, t in texts.items() if not named(f, SCRIPTS))
    substitute = declared.image_facts if declared is not None else None
    for file in files:  # the Dockerfiles first: a start script's relative mkdir is relative to their WORKDIR
        if named(file, DOCKERFILES) and (text := read(file)) is not None:
            contexts: dict[str, set[str]] = {}

            def kept(context: str, file=file) -> set[str]:
                if context not in contexts:
                    rules = dockerignore.rules_for(context, file, read)
                    contexts[context] = dockerignore.kept_dirs(files, context, rules) if rules else tracked_dirs
                return contexts[context]

            dockerfile(file, text, kept, dirs, known, substitute)
    if declared is not None:
        platforms.apply(dirs, declared, tracked_dirs)
    for file in files:
        lower = file.lower()
        if named(file, DOCKERFILES):
            continue
        if named(file, SCRIPTS):
            text = read(file)
            if text is not None and any(w in text for w in ("mkdir", "install", "chown", "chmod")):
                deploy = named(file, _STARTERS) or posixpath.basename(file) in started
                dirs.made.extend(shell_made(text, file, 1, dirs.cwd, known, deploy, owner=None))
        elif lower.endswith(".py"):
            text = read(file) if file.rsplit("/", 1)[-1].startswith(("settings", "gunicorn", "conf", "log")) or \
                "settings" in file.lower() or "config" in file.lower() else None
            if text is not None and ("mkdir" in text or "makedirs" in text):
                dirs.made.extend(python_made(file, text))
        elif lower.endswith((".yml", ".yaml")) and file != ".fixbot.yml":
            text = read(file)
            if text is not None and any(w in text for w in ("volumes", "tmpfs", "mountPath", "user", "orking")):
                volumes(file, text, dirs, tracked_dirs)
    return dirs
