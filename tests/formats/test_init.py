"""`formats.named` answers as fnmatch does on each pattern, from one compiled regex per tuple of patterns."""

from __future__ import annotations

import posixpath
from fnmatch import fnmatch

from hypothesis import given
from hypothesis import strategies as st

from fixbot.check import deploy
from fixbot.formats import named
from fixbot.formats.deploy.table import files
from fixbot.formats.logconfig.files import FORMAT_FILES

PATTERNS = [deploy.ROOTS, deploy.STARTERS, deploy._SCRIPT + FORMAT_FILES, files(), ("*.py",), ("[ab]*.ini", "x?/*.conf")]
_PART = st.text(st.sampled_from("abxyzDPrs._-*?[]!/"), min_size=1, max_size=10)


def _fnmatch(file: str, patterns) -> bool:
    name = posixpath.basename(file).lower()
    return any(fnmatch(file.lower() if "/" in p else name, p) for p in patterns)


def test_the_names_deploys_use_are_named_as_fnmatch_names_them():
    for file in ("Dockerfile", "docker/Dockerfile.prod", "bin/entrypoint.sh", "Procfile", "deploy/supervisor/web.conf",
                 "logging.yaml", "gunicorn.conf.py", "a.service.d/x.conf", "README.md", "Containerfile", "run"):
        for patterns in PATTERNS:
            assert named(file, patterns) == _fnmatch(file, patterns), (file, patterns)
    assert named("docker/Dockerfile.prod", deploy.ROOTS) and not named("README.md", deploy.ROOTS)


@given(file=st.lists(_PART, min_size=1, max_size=3).map("/".join), which=st.sampled_from(range(len(PATTERNS))))
def test_any_path_is_named_as_fnmatch_names_it(file, which):
    assert named(file, PATTERNS[which]) == _fnmatch(file, PATTERNS[which])
