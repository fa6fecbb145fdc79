"""Gunicorn's --access-logfile/--error-logfile/--log-file points where it cannot write: point it at stdout (`-`)."""

from __future__ import annotations

from fixbot.fixes import BOOTS, Fix


class GunicornLogfile(Fix):
    KIND = "gunicorn-logfile"
    # "handler" is never a fact of this kind; it stays a key so that fingerprints, and so the pull requests
    # already opened for this kind, stay the same.
    FINGERPRINT_KEYS = ("handler", "path")
    SUBJECTS = {"gunicorn-stdout": "fix(logging): send Gunicorn's logs to stdout"}

    def plan(self, finding, codemod, repo):
        from fixbot.model import Step
        from fixbot.plan import NoPlan

        target = str(finding.facts.get("path", ""))
        files = _files(repo)  # each candidate parsed once
        sites = [(path, flags) for path, flags in files if flags]
        exact = [path for path, flags in sites if any(f.value == target for f in flags)]
        if exact:  # every invocation that names the failing file led to the failure
            return [Step(finding, codemod, path, f"{path} starts Gunicorn with its log at {target}.") for path in exact], []
        if len(sites) == 1:
            path = sites[0][0]
            why = f"{path} is the one place whose Gunicorn logs to a file (none names {target} literally)."
            return [Step(finding, codemod, path, why)], []
        if not sites:
            starts = [path for path, _ in files]
            if starts:
                # Gunicorn is started here and already logs to stdout (the fix merged): the codemod changes nothing
                # on these files, which makes the result already-fixed rather than an error.
                why = f"{', '.join(starts)} start{'s' if len(starts) == 1 else ''} Gunicorn and no log of it goes to a file."
                return [Step(finding, codemod, path, why) for path in starts], []
            raise NoPlan(f"no Gunicorn invocation in this repository writes its logs to a file (looked for {target})")
        raise NoPlan(
            f"{target} is named nowhere and {len(sites)} files start Gunicorn with log files "
            f"({', '.join(p for p, _ in sites)}): run fixbot codemod gunicorn-stdout on the one that failed"
        )

    def notes(self, repo):
        return [
            f"{path}: Gunicorn also writes its logs to files ({', '.join(f'{f.flag} {f.value}' for f in flags)}); "
            f"to send them to stdout too: fixbot codemod gunicorn-stdout {path}"
            for path, flags in _sites(repo)
        ]

    def checklist(self, codemods):
        return list(BOOTS)


def _files(repo) -> list[tuple[str, list]]:
    """Every file that starts or configures Gunicorn, with the log flags that write to files (maybe none)."""
    from fixbot.codemods import gunicorn_stdout

    found = []
    for path in repo.candidates(gunicorn_stdout.GunicornStdout.FILES):
        try:
            invocations = gunicorn_stdout.find_invocations(repo.read_or_none(path) or "", path)
        except Exception:  # a file it cannot read is not a site we can speak for
            continue
        if invocations:
            found.append((path, [flag for inv in invocations for flag in inv.flags if flag.value != "-"]))
    return found


def _sites(repo) -> list[tuple[str, list]]:
    return [(path, flags) for path, flags in _files(repo) if flags]


FIX = GunicornLogfile()
