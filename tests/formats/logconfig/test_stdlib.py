"""The model of the standard library's logging (fixbot/formats/logconfig/stdlib.py) says what the real `logging` module does, for random dictConfigs."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from fixbot.formats.logconfig import stdlib, stdlib_read
from tests.support.logconfig_harness import configs, run


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(config=configs())
def test_the_model_says_where_every_record_goes_as_logging_does(config, tmp_path):
    model = stdlib_read.from_dict(config)
    probes = stdlib.probes(model)
    real = run(config, str(tmp_path), probes)
    for probe in probes:
        [(delivery,)] = stdlib.deliveries((model,), *probe)
        assert real[probe] == (delivery.count(stdlib.CONSOLE), delivery.count(stdlib.FILE)), (probe, delivery)
