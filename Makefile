# `make demo` and `make test` each build their own .venv; nothing else needs installing by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The incident, end to end without a token or the network: diagnose the kept log of a real boot of the
# example, then show the fix apply would commit (a dry run changes nothing).
demo: $(STAMP)
	$(BIN)/fixbot diagnose examples/ledgersg/logs/boot-failure.log
	$(BIN)/fixbot apply --log examples/ledgersg/logs/boot-failure.log --repo examples/ledgersg --dry-run

test: $(STAMP)
	$(BIN)/python -m pytest -q

# Each benchmark compares with its own baseline in the same run; README records the latest numbers.
bench: $(STAMP)
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/diagnose.py
	$(BIN)/python benchmarks/apply.py
	$(BIN)/python benchmarks/codemods.py

clean:
	rm -rf $(VENV) build *.egg-info
