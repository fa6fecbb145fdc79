"""The base images `fixbot check` knows, as data: which directories each has, who it runs as, where it starts, and where each fact comes from.

An image a Dockerfile builds on is judged only when one row here matches its name: its directories are those of
`COMMON` (what every Linux distribution and the official images built on it ship, root's) plus the row's own.
An image no row matches is not judged (check/__init__.py says so), since its base may hold any directory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Directories of every Debian, Ubuntu and Alpine root filesystem (debian: base-files; alpine: alpine-baselayout),
# all root's; /tmp and /var/tmp are world-writable (mode 1777) in both.
COMMON = frozenset({"/", "/tmp", "/var", "/var/log", "/var/tmp", "/var/lib", "/var/cache", "/run", "/var/run",
                    "/dev", "/usr", "/usr/local", "/usr/src", "/etc", "/opt", "/home", "/root", "/srv", "/mnt"})


@dataclass(frozen=True)
class Image:
    """What a family of images holds: `pattern` matches the name (registry, repository and tag, digest left off)."""

    pattern: str
    family: str
    source: str  # where the facts were read
    dirs: frozenset[str] = frozenset()  # besides COMMON
    user: str = "root"  # the USER the image itself sets
    workdir: str = "/"  # the WORKDIR the image itself sets
    service: bool = False  # a database or proxy: it runs none of the repository's configs


# Docker Hub's official images, also as AWS's and Google's mirrors serve them (gallery.ecr.aws/docker: "Docker
# Official Images" on ECR Public; cloud.google.com/artifact-registry/docs/pull-cached-dockerhub-images).
_PY = r"(?:docker\.io/|public\.ecr\.aws/docker/|mirror\.gcr\.io/)?(?:library/)?"
IMAGES = (
    Image(_PY + r"python(?::[\w.-]+)?", "python", "github.com/docker-library/python: every variant's Dockerfile "
          "(bookworm, slim-bookworm, trixie, alpine) is FROM debian/buildpack-deps/alpine, installs under /usr/local, "
          "sets no USER and no WORKDIR"),
    Image(_PY + r"(?:debian|buildpack-deps)(?::[\w.-]+)?", "debian", "github.com/debuerreotype/docker-debian-artifacts "
          "(rootfs of base-files) and docker-library/buildpack-deps: no USER, no WORKDIR"),
    Image(_PY + r"ubuntu(?::[\w.-]+)?", "ubuntu", "Ubuntu cloud images (docker-library/official-images "
          "library/ubuntu): no USER, no WORKDIR; 24.04 ships a user `ubuntu` (UID 1000) but runs as root"),
    Image(_PY + r"alpine(?::[\w.-]+)?", "alpine", "alpinelinux/docker-alpine (rootfs of alpine-baselayout, which "
          "makes /srv, /mnt, /opt, /home): no USER, no WORKDIR"),
    Image(_PY + r"(?:pypy|node|golang|rust|ruby|fedora|centos|rockylinux|almalinux|amazonlinux|busybox)(?::[\w.-]+)?",
          "official", "docker-library/official-images: language images FROM the distributions above, no USER set "
          "(node's images add a user `node` but run as root)"),
    Image(r"ghcr\.io/astral-sh/uv:(?:\d+(?:\.\d+){0,2}-)?(?:python[\w.]*-)?(?:bookworm|trixie|debian|alpine)[\w.-]*",
          "uv", "docs.astral.sh/uv/guides/integration/docker: the derived images (also as {version}-{base}) are "
          "built FROM debian:*-slim, buildpack-deps, alpine or python:3.x-(alpine|*-slim), with uv added in "
          "/usr/local/bin; no USER, no WORKDIR"),
    Image(r"(?:gcr\.io/distroless|cgr\.dev/chainguard)/python3?(?:-debian\d+)?(?::(?!.*nonroot)[\w.-]+)?", "distroless",
          "github.com/GoogleContainerTools/distroless (base/README.md: /tmp, /home/nonroot, /etc/passwd with root, "
          "nobody and nonroot 65532; no /var/log/<app>); runs as root unless the tag says nonroot",
          dirs=frozenset({"/home/nonroot"})),
    Image(r"(?:gcr\.io/distroless|cgr\.dev/chainguard)/python3?(?:-debian\d+)?:[\w.-]*nonroot[\w.-]*", "distroless",
          "github.com/GoogleContainerTools/distroless: the :nonroot and :debug-nonroot tags set USER 65532 "
          "(nonroot, home /home/nonroot)", dirs=frozenset({"/home/nonroot"}), user="65532"),
    Image(r"(?:docker\.io/)?(?:nvidia/cuda|nvcr\.io/nvidia/cuda):[\w.-]*(?:runtime|base|devel)[\w.-]*", "nvidia-cuda",
          "gitlab.com/nvidia/container-images/cuda (dist/*/ubuntu*/base/Dockerfile): FROM ubuntu, CUDA under "
          "/usr/local/cuda-*, no USER, no WORKDIR", dirs=frozenset({"/usr/local/cuda"})),
    Image(r"registry\.hf\.space/[\w.-]+(?::[\w.-]+)?", "hf-space", "huggingface.co/docs/hub/spaces-sdks-docker and "
          "spaces-run-with-docker: a Space's image runs as UID 1000 (user `user`, home /home/user) in /home/user/app",
          dirs=frozenset({"/home/user", "/home/user/app"}), user="1000", workdir="/home/user/app"),
)
_SERVICE = re.compile(r"(?i)(postgres|postgis|redis|mysql|mariadb|mongo|elasticsearch|opensearch|rabbitmq|memcached|"
                      r"traefik|caddy|minio|nginx|httpd|haproxy|varnish)[^/]*$")


def lookup(name: str) -> Image | None:
    """The row for an image name as a FROM line writes it (`python:3.12-slim@sha256:…`), None when none matches."""
    bare = name.split("@", 1)[0].strip().lower()
    for image in IMAGES:
        if re.fullmatch(image.pattern, bare):
            return image
    if name.lower() == "scratch":
        return Image("scratch", "scratch", "the empty image: Docker's reserved name", user="root")
    if _SERVICE.search(bare.split(":", 1)[0]):
        return Image(bare, "service", "a database or proxy image: it runs none of the repository's configs", service=True)
    return None


def dirs_of(image: Image | None) -> frozenset[str]:
    """Every directory the image holds (none of them writable by a user other than root, but /tmp and /var/tmp)."""
    if image is None or image.family == "scratch":
        return frozenset({"/"})
    return COMMON | image.dirs
