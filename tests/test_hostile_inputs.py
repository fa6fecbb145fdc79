"""A property (issue 20): random bytes and random mutations of our real logs and configs never make a command run past its bound or end in a traceback.

Each example runs `fixbot diagnose`, `fixbot codemod logging-console --diff` or `fixbot check` in this process
(click's runner: a subprocess per example would cost its start-up), under a CPU-time alarm (ITIMER_PROF, so a
loaded machine cannot fail it). The answer must be an exit code of the contract (0, 1, 2) and never an internal
error. Mutations include repeating a slice many times, which is how every bomb of the issue was built.
"""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixbot.cli import main
from tests.support import formatsrun
from tests.support import hostile

ROOT = hostile.ROOT
BOUND = 5.0  # CPU seconds per command; the hostile shapes of the issue answer in well under 2
LOGS = sorted([*ROOT.glob("examples/*/logs/*.log"), *(ROOT / "tests/fixtures/logs").glob("*.log")])
CONFIGS = {
    "logging.yaml": (ROOT / "examples/orders-api/logging.yaml").read_bytes(),
    "logging.ini": formatsrun.GUNICORN_INI.format(logdir="/var/log/app").encode(),
    "settings.py": (hostile.LEDGERSG / hostile.SERVICE).read_bytes(),
    "entrypoint.sh": (hostile.LEDGERSG / "entrypoint.sh").read_bytes(),
}


class OverBound(Exception):
    pass


def _alarm(signum, frame):
    raise OverBound(f"ran past {BOUND} CPU seconds")


def invoke(*args: str):
    """The command's result, under the CPU-time alarm; fails on a time-out, a traceback or an internal error."""
    previous = signal.signal(signal.SIGPROF, _alarm)
    signal.setitimer(signal.ITIMER_PROF, BOUND)
    try:
        result = CliRunner().invoke(main, list(args), catch_exceptions=True)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
    output = result.output
    assert not isinstance(result.exception, OverBound), f"{args}: ran past {BOUND} s"
    assert result.exception is None or isinstance(result.exception, SystemExit), (args, repr(result.exception))
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, output[-500:])
    assert "Traceback" not in output and "internal error" not in output, (args, output[-500:])
    return result


@st.composite
def mutated(draw, seeds: list[bytes]):
    """A seed with a few random edits: bytes flipped, inserted or deleted, a slice repeated, the end cut off."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        edit = draw(st.sampled_from(["flip", "insert", "delete", "repeat", "truncate"]))
        if edit == "flip" and at < len(data):
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif edit == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=32))
        elif edit == "delete":
            del data[at:at + draw(st.integers(1, 64))]
        elif edit == "repeat":
            chunk = bytes(data[at:at + draw(st.integers(1, 48))]) or b"%(x)s"
            data[at:at] = chunk * draw(st.integers(2, 2000))
        else:
            del data[at:]
    return bytes(data)


FAST = settings(max_examples=12, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@FAST
@given(data=st.one_of(st.binary(max_size=4096), mutated([p.read_bytes() for p in LOGS])))
def test_diagnose_never_runs_past_its_bound(tmp_path, data):
    log = tmp_path / "fuzz.log"
    log.write_bytes(data)
    invoke("diagnose", str(log), "--format", "json")


@FAST
@given(name=st.sampled_from(sorted(CONFIGS)), data=st.data())
def test_codemod_never_runs_past_its_bound(tmp_path, name, data):
    body = data.draw(st.one_of(st.binary(max_size=2048), mutated([CONFIGS[name]])))
    config = tmp_path / name
    config.write_bytes(body)
    invoke("codemod", "logging-console", "--diff", str(config))


@pytest.fixture(scope="module")
def incident(tmp_path_factory) -> Path:
    """The incident's files in a plain directory (no git: check walks it), with a logging.ini the deploy runs."""
    root = tmp_path_factory.mktemp("incident") / "app"
    shutil.copytree(hostile.LEDGERSG, root)
    entrypoint = root / "entrypoint.sh"
    entrypoint.write_text(entrypoint.read_text().replace('wait "${BACKEND_PID}"',
                                                          'gunicorn w:app --log-config /app/logging.ini &\nwait "${BACKEND_PID}"'))
    return root


CHECKED = {"logging.ini": "logging.ini", "settings.py": hostile.SERVICE, "entrypoint.sh": "entrypoint.sh"}


@FAST
@given(name=st.sampled_from(sorted(CHECKED)), data=st.data())
def test_check_never_runs_past_its_bound(incident, name, data):
    body = data.draw(mutated([CONFIGS[name]]))
    target = incident / CHECKED[name]
    original = target.read_bytes() if target.exists() else None
    target.write_bytes(body)
    try:
        invoke("check", str(incident), "--format", "json")
    finally:
        target.write_bytes(original) if original is not None else target.unlink()
