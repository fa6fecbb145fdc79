"""What `fixbot check` knows of a container's directories: each thing that makes one exist (`Made`) and the container as a whole (`Dirs`)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from fixbot.formats import wildcard


@dataclass(frozen=True)
class Made:
    path: str  # absolute, normalised
    file: str
    line: int
    how: str  # "WORKDIR", "VOLUME", "COPY", "mkdir", "install", "chown", "volume", "makedirs", "platform"
    # a path with unknown parts (`$LOG_DIR/app`): the wildcard pieces of what it may be, matched in linear time
    pattern: tuple | None = None
    owner: str | None = None  # who owns it: "root", a user, "*" (chmod: anyone may write), None (unknown)
    below: bool = True  # a pattern makes the directories below what it matches too (not so for a relative one)

    def __str__(self) -> str:
        verb = {"volume": "mounts", "VOLUME": "declares the volume", "chown": "chowns", "chmod": "chmods",
                "platform": "gives"}.get(self.how, "creates")
        return f"{self.file}:{self.line} {verb} {self.path}"

    def may_be(self, directory: str) -> bool:
        """Whether this makes `directory` or a directory below it (a pattern: maybe)."""
        if self.pattern is not None:
            return wildcard.fullmatch(self.pattern, directory) or self.below and wildcard.fullmatch(
                [*self.pattern, "/", wildcard.ANY], directory)
        return self.path == directory or self.path.startswith(directory.rstrip("/") + "/")


@dataclass
class Dirs:
    made: list[Made] = field(default_factory=list)
    bases: list[str] = field(default_factory=list)  # FROM images nobody in the repository builds
    unknown: list[str] = field(default_factory=list)  # those of them check/images.py has no facts for
    base: set[str] = field(default_factory=set)  # the directories the known base images hold (root's)
    dockerfiles: int = 0
    users: list[str] = field(default_factory=list)  # the USER each Dockerfile's last stage runs as
    workdirs: list[str] = field(default_factory=list)  # the WORKDIR each Dockerfile's last stage starts in
    overridden: bool = False  # compose `user:` or Kubernetes `runAsUser` may run it as someone else
    moved: bool = False  # compose `working_dir:` or Kubernetes `workingDir` may start it elsewhere
    declared: str | None = None  # the environment .fixbot.yml or --platform declares, as the evidence names it
    writable: set[str] = field(default_factory=set)  # directories the platform lets its user write
    read_only: bool = False  # the root filesystem is read-only: only volumes and `writable` take files
    tracked: set[str] = field(default_factory=set)  # the repository's directories (repo-relative)
    ignored: list[Made] = field(default_factory=list)  # where a COPY would have brought one .dockerignore leaves out

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
        """Whether the container is described well enough to say a directory is missing from it: a Dockerfile
        or a declared environment, and facts for every base image (images of databases and proxies run none of
        the repository's configs, so their bases do not matter)."""
        return (self.dockerfiles > 0 or self.declared is not None) and not self.unknown

    def exists(self, directory: str) -> Made | str | None:
        """What makes `directory` exist (a Made, or "base image"), None when nothing does."""
        directory = posixpath.normpath(directory)
        if directory in self.base:
            return "base image"
        for made in sorted(self.made, key=lambda m: (m.how == "chown", m.pattern is not None, m.file, m.line)):
            if made.may_be(directory):
                return made
        return None
