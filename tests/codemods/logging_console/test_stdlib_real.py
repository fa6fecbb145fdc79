"""logging-console keeps every record once on the console, as the real `logging` module shows: random dictConfigs in Python (a Django settings module), YAML and JSON are rewritten, both are loaded with dictConfig in a temporary directory, and every (logger, level) record is counted."""

from __future__ import annotations

import json

import pytest
import yaml
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from fixbot.codemods.logging_console import LoggingConsole
from fixbot.formats import Refusal
from fixbot.formats.logconfig import stdlib, stdlib_read
from tests.support.logconfig_harness import configs, run

STUCK = "no handler list can go without losing lines"


@pytest.fixture(scope="module")
def django_defaults():
    """Django's DEFAULT_LOGGING, which it loads before a settings module's LOGGING; DEBUG off, as a deploy runs."""
    from django.conf import settings as django_settings

    if not django_settings.configured:
        django_settings.configure(DEBUG=False)
    from django.utils.log import DEFAULT_LOGGING

    return DEFAULT_LOGGING


def _source(config: dict, form: str) -> tuple[str, str]:
    if form == "python":
        return f"LOGGING = {config!r}\n", "settings.py"
    if form == "json":
        return json.dumps(config, indent=2) + "\n", "logging.json"
    return yaml.safe_dump(config, sort_keys=False, default_flow_style=form == "yaml-flow"), "logging.yaml"


def _load(text: str, form: str) -> dict:
    if form == "python":
        namespace: dict = {}
        exec(compile(text, "settings.py", "exec"), namespace)  # our own generated module
        return namespace["LOGGING"]
    return json.loads(text) if form == "json" else yaml.safe_load(text)


@settings(max_examples=400, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(config=configs(), form=st.sampled_from(["python", "json", "yaml-block", "yaml-flow"]))
def test_every_record_that_reached_a_file_or_the_console_prints_once_after_the_rewrite(config, form, tmp_path, django_defaults):
    source, filename = _source(config, form)
    try:
        rewritten = LoggingConsole.rewrite(source, filename)
    except Refusal as refusal:
        assert STUCK in str(refusal), refusal  # the one refusal a static config may get
        event("refused: a line would print twice whatever the lists say")
        return
    after = _load(rewritten, form)
    note(rewritten)
    first = django_defaults if form == "python" else None
    base = stdlib_read.DJANGO if form == "python" else None
    model_before, model_after = stdlib_read.from_dict(config, base), stdlib_read.from_dict(after, base)
    probes = stdlib.probes(model_before)
    old = run(config, str(tmp_path), probes, first)
    new = run(after, str(tmp_path), probes, first)
    for probe in probes:
        (console, files), (now, left) = old[probe], new[probe]
        assert left == 0, (probe, "still written to a file")
        if console + files:
            assert 1 <= now <= max(1, console), (probe, old[probe], new[probe])
        else:
            assert now <= 1, (probe, old[probe], new[probe])
        [(_, predicted)] = [d for d in stdlib.deliveries((model_before, model_after), *probe) if not d[1].debug]
        assert now == predicted.count(stdlib.CONSOLE), (probe, predicted)


# Found by the property test above (a clean-clone run, 2026-12-07): a root with a filtered console (only 'a') and an
# ERROR file handler. Dropping the file handler loses the ERRORs of other loggers, keeping it as a stream prints an
# ERROR of 'a' twice; the static plan proved that and refused, but the in-place rewrite it fell back to read no
# filter and converted it. Now the refusal stands.
FOUND_TWICE = {
    "version": 1, "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(message)s"}, "stamped": {"format": "%(levelname)s %(message)s"}},
    "filters": {"all": {"name": ""}, "only_a": {"name": "a"}, "only_b": {"()": "logging.Filter", "name": "b"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["all", "only_a"]},
                 "out": {"class": "logging.StreamHandler"}, "file": {"class": "logging.StreamHandler"},
                 "file2": {"class": "logging.FileHandler", "filename": "file2.log"},
                 "debug_file": {"class": "logging.FileHandler", "filename": "debug_file.log", "level": "ERROR",
                                "filters": ["all"]}},
    "loggers": {"a": {}},
    "root": {"handlers": ["debug_file", "console"]},
}


@pytest.mark.parametrize("form", ["python", "json", "yaml-block"])
def test_a_filtered_console_beside_an_error_file_is_refused_not_printed_twice(form):
    source, filename = _source(FOUND_TWICE, form)
    with pytest.raises(Refusal, match=STUCK):
        LoggingConsole.rewrite(source, filename)
