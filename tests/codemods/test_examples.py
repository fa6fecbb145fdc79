"""Every codemod's own examples, plus the promises every codemod makes: idempotent, output still parses."""

from __future__ import annotations

import pytest

from fixbot import codemods
from tests.support.parsecheck import assert_parses

CASES = [
    pytest.param(codemod, example, id=f"{name}:{example.id}")
    for name, codemod in codemods.all_codemods().items()
    for example in codemod.EXAMPLES
]


def test_every_codemod_documents_itself():
    found = codemods.all_codemods()
    assert {"logging-console", "gunicorn-stdout"} <= set(found)
    for name, codemod in found.items():
        assert codemod.DESCRIPTION.strip(), name
        assert codemod.HANDLES, name
        assert codemod.FILES, name
        fixes = [e for e in codemod.EXAMPLES if not e.refuses and e.after is not None]
        noops = [e for e in codemod.EXAMPLES if not e.refuses and e.after is None]
        refusals = [e for e in codemod.EXAMPLES if e.refuses]
        assert fixes and noops and refusals, f"{name} needs fix, no-op and refusal examples"


@pytest.mark.parametrize("codemod, example", CASES)
def test_example(codemod, example):
    if example.refuses:
        with pytest.raises(codemods.Refusal, match=example.refuses):
            codemod.rewrite(example.before, example.filename, **example.options)
        return
    result = codemod.rewrite(example.before, example.filename, **example.options)
    assert result == (example.before if example.after is None else example.after)


@pytest.mark.parametrize("codemod, example", [c for c in CASES if not c.values[1].refuses])
def test_second_run_changes_nothing(codemod, example):
    once = codemod.rewrite(example.before, example.filename, **example.options)
    assert codemod.rewrite(once, example.filename, **example.options) == once


@pytest.mark.parametrize("codemod, example", [c for c in CASES if not c.values[1].refuses])
def test_output_parses(codemod, example):
    result = codemod.rewrite(example.before, example.filename, **example.options)
    assert_parses(result, example.filename)
