"""A library cannot make its cache or config directory under an unwritable home: set the variable that moves it, where the deploy sets the environment."""

from __future__ import annotations

from fixbot.fixes import Fix, NoPlan, boots

CODEMOD = "cache-env"
# The variable each library reads first, by the library a frame ran (the room's `programs`), then by the folder.
_BY_PROGRAM = {"matplotlib": ("MPLCONFIGDIR", "/tmp/matplotlib"), "numba": ("NUMBA_CACHE_DIR", "/tmp/numba"),
               "triton": ("TRITON_CACHE_DIR", "/tmp/triton"), "keras": ("KERAS_HOME", "/tmp/keras")}
_BY_FOLDER = {".cache": ("XDG_CACHE_HOME", "/tmp/.cache"), ".config": ("XDG_CONFIG_HOME", "/tmp/.config"),
              ".local/share": ("XDG_DATA_HOME", "/tmp/.local/share"), ".local/state": ("XDG_STATE_HOME", "/tmp/.local/state"),
              ".matplotlib": _BY_PROGRAM["matplotlib"], ".triton": _BY_PROGRAM["triton"], ".keras": _BY_PROGRAM["keras"],
              ".numba_cache": _BY_PROGRAM["numba"]}
_DOCKERFILES = ("dockerfile*", "*.dockerfile", "containerfile*")
_SCRIPTS = ("entrypoint*", "docker-entrypoint*", "start.sh", "start", "run.sh", "boot.sh")


def variable(facts: dict) -> tuple[str, str]:
    """The variable (and the value) that moves the directory of `facts`' path."""
    if facts.get("program") in _BY_PROGRAM:
        return _BY_PROGRAM[str(facts["program"])]
    rest = str(facts.get("path", ""))[len(str(facts.get("home", ""))) + 1:]
    folder = next((f for f in sorted(_BY_FOLDER, key=len, reverse=True) if rest == f or rest.startswith(f + "/")), ".cache")
    if folder == ".local" or (folder not in _BY_FOLDER):
        folder = ".cache"
    return _BY_FOLDER[folder]


class HomeCache(Fix):
    KIND = "home-cache"
    FINGERPRINT_KEYS = ("path",)
    SUBJECTS = {CODEMOD: "fix(deploy): set {variable} so the cache directory is writable"}

    def plan(self, finding, codemod, repo, config):
        from fixbot.formats.deploy.dockerfile import final_stage_env
        from fixbot.model import Step

        name, value = variable(finding.facts)
        dockerfiles = [f for f in repo.candidates(_DOCKERFILES) if final_stage_env(repo.read_or_none(f) or "")[1] is not None]
        chosen = dockerfiles or [f for f in repo.candidates(_SCRIPTS) if (repo.read_or_none(f) or "").startswith("#!")]
        if len(chosen) != 1:
            where = ", ".join(chosen) if chosen else "no Dockerfile with a CMD or ENTRYPOINT, and no start script"
            raise NoPlan(f"{finding.facts.get('path')} needs {name} set where the deploy sets its environment, and "
                         f"the place cannot be told ({where}): set {name}={value} there by hand")
        why = (f"{chosen[0]} sets the environment the process starts with; {name}={value} moves the directory the "
               f"library wanted under '{finding.facts.get('home') or '/'}' to a writable place.")
        return [Step(finding, codemod, chosen[0], why, {"variable": name, "value": value})], []

    def subject(self, codemod, facts):
        return self.SUBJECTS[codemod].format(variable=variable(facts)[0])

    def checklist(self, codemods, start=None):
        return [*boots(start), "- [ ] The directory the variable names is writable where the deploy runs (/tmp is, unless "
                "the root is read-only with no volume there), and a cache there may be lost at each restart"]


FIX = HomeCache()
