"""Every room's signatures, run on their own example logs (real runs kept in fixbot/fixes/<kind>/examples/)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from fixbot import fixes
from fixbot.diagnose import catalogue

EXAMPLES = [
    pytest.param(room.parent, sig["kind"], example, id=f"{room.parent.name}:{example['log']}")
    for room in fixes.signature_files()
    for sig in yaml.safe_load(room.read_text())["signatures"]
    for example in sig.get("examples", ())
]


@pytest.mark.parametrize("room, kind, example", EXAMPLES)
def test_signature_example(room: Path, kind: str, example: dict):
    log = room / example["log"]
    done = subprocess.run([sys.executable, "-m", "fixbot.cli", "diagnose", str(log), "--format", "json"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode in (0, 1), done.stderr
    found = [f for f in json.loads(done.stdout)["findings"] if f["kind"] == kind]
    assert found, f"{log.name}: no {kind} finding in {done.stdout}"
    facts = {k: v for k, v in found[0]["facts"].items() if k in example["facts"]}
    assert facts == example["facts"]
    if "fixes" in example:
        assert found[0]["fixes"] == example["fixes"]


def test_every_room_is_tried_in_its_own_order_and_every_kind_has_an_example():
    rooms = [yaml.safe_load(path.read_text()) for path in fixes.signature_files()]
    orders = [room["order"] for room in rooms]
    assert len(set(orders)) == len(orders), "two rooms with the same order would be tried in an arbitrary order"
    kinds = {sig.kind for sig in catalogue().signatures}
    assert kinds == {p.values[1] for p in EXAMPLES}
    assert catalogue().signatures[-1].kind == "python-exception", "the catch-all must be tried last"


def test_every_fixable_kind_has_a_room_that_plans_it():
    fixable = {sig.kind for sig in catalogue().signatures if sig.fixes}
    assert fixable == set(fixes.registry())
    for kind, fix in fixes.registry().items():
        assert fix.KIND == kind and fix.FINGERPRINT_KEYS and fix.SUBJECTS
