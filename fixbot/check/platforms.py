"""The platforms a deploy can declare (.fixbot.yml `deploy:`, `fixbot check --platform`), each with the facts that hold there, and where each fact comes from.

A platform that builds the repository itself (Heroku, Render, a Space's SDK) puts the checkout in a known
directory, starts the process there and runs it as its own user; one that runs an image (Fly, Cloud Run,
Kubernetes) needs a Dockerfile or `deploy.image`. `apply` writes those facts into check/made.Dirs.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from fixbot.check import images
from fixbot.check.made import Dirs, Made
from fixbot.formats import wildcard


@dataclass(frozen=True)
class Platform:
    name: str
    source: str
    image: str | None = None  # the image whose facts hold where the repository has no Dockerfile
    app: str | None = None  # where the checkout is and the process starts, without a Dockerfile
    user: str | None = None  # who the process runs as, whatever the image says (None: its USER)
    native_user: str | None = None  # who it runs as when the platform builds the repository itself
    writable: frozenset[str] = frozenset()  # directories it gives and lets that user write
    owns_app: bool = True  # the checkout belongs to the user it runs as (without a Dockerfile)


PLATFORMS = {p.name: p for p in (
    Platform("heroku", "devcenter.heroku.com/articles/dynos#ephemeral-filesystem (the slug is unpacked into /app, "
             "writable for the dyno's process), articles/stack (heroku-24: Ubuntu 24.04), "
             "articles/container-registry-and-runtime (containers do not run with root privileges)",
             image="ubuntu:24.04", app="/app", user="the dyno's non-root user", native_user="the dyno's non-root user",
             writable=frozenset({"/tmp"})),
    Platform("render", "render.com/docs/deploys#ephemeral-filesystem (the checkout at /opt/render/project/src is "
             "writable until the next deploy) and render.com/docs/docker (an image runs as its own USER)",
             image="ubuntu:22.04", app="/opt/render/project/src", native_user="render",
             writable=frozenset({"/tmp"})),
    Platform("fly", "fly.io/docs/reference/configuration (a Machine runs the image fly deploy builds from the "
             "Dockerfile, as its USER, on a writable root filesystem)"),
    Platform("hf-space", "huggingface.co/docs/hub/spaces-sdks-docker (\"The container runs with user ID 1000\"; "
             "/data is the persistent storage volume) and spaces-overview (SDK Spaces: the repository in "
             "/home/user/app)", image="python:3.10", app="/home/user/app", user="1000", native_user="1000",
             writable=frozenset({"/data", "/tmp"})),
    Platform("cloud-run", "cloud.google.com/run/docs/container-contract#filesystem (the image's filesystem is "
             "writable, held in memory; the process runs as the image's USER)"),
    Platform("kubernetes", "kubernetes.io/docs/tasks/configure-pod-container/security-context (the image's USER "
             "unless runAsUser; readOnlyRootFilesystem leaves only volumes writable)"),
)}


@dataclass(frozen=True)
class Declared:
    """What .fixbot.yml's `deploy:` (or --platform) says of the place the repository runs."""

    image: str | None = None
    user: str | None = None
    read_only_root: bool = False
    platform: str | None = None
    file: str = ".fixbot.yml"  # where it was said: the file, or "--platform"
    line: int = 1
    lines: dict = field(default_factory=dict, compare=False)  # {key: line} for the evidence

    @property
    def image_facts(self) -> images.Image | None:
        return images.lookup(self.image) if self.image else None

    def where(self, key: str) -> tuple[str, int]:
        return self.file, self.lines.get(key, self.line)


def apply(dirs: Dirs, declared: Declared, tracked: set[str]) -> None:
    """The declared facts, over what the Dockerfiles say: the platform's checkout and user where there is no
    Dockerfile, its writable directories, `user:` and `read_only_root:`."""
    platform = PLATFORMS.get(declared.platform or "")
    dirs.read_only = declared.read_only_root  # a fact of its own, known even where the image's facts are not
    dirs.declared = f"{declared.file} deploy" if declared.file != "--platform" else f"--platform {declared.platform}"
    native = dirs.dockerfiles == 0
    if native:
        name = declared.image or (platform.image if platform else None)
        facts = images.lookup(name) if name else None
        if facts is None:
            dirs.unknown.append(name or f"the image {declared.platform} runs (no Dockerfile, no deploy.image)")
            return
        dirs.base |= images.dirs_of(facts)
        user = (platform.native_user if platform else None) or facts.user
        app = platform.app if platform and not declared.image else None
        if app is not None:
            file, line = declared.where("platform")
            owner = user if platform.owns_app else "root"
            dirs.made.append(Made(app, file, line, "platform", owner=owner))
            dirs.made += [Made(posixpath.join(app, d), file, line, "platform", owner=owner) for d in sorted(tracked)]
            dirs.workdirs.append(app)
        else:  # an image alone: where the checkout is in it is not known
            file, line = declared.where("image")
            dirs.made += [Made(d, file, line, "platform", (wildcard.ANY, "/" + d), below=False) for d in sorted(tracked)]
        dirs.users.append(user)
    elif platform is not None and platform.user is not None:
        dirs.users = [platform.user for _ in dirs.users]
    if platform is not None:
        file, line = declared.where("platform")
        dirs.writable |= platform.writable
        dirs.made += [Made(d, file, line, "platform", owner="*") for d in sorted(platform.writable)]
    if declared.user is not None:
        dirs.users = [declared.user for _ in dirs.users or [None]]
        dirs.overridden = False

