# `make demo` and `make test` each build .venv themselves; nothing else needs installing by hand. The demo needs
# fixbot's own dependencies only (RUNTIME); the tests add the `test` extra (Django, Gunicorn, act...) on top (STAMP).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime
STAMP := $(VENV)/.installed

.PHONY: demo test explore install-check bench lock clean

$(RUNTIME): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(RUNTIME)

$(STAMP): $(RUNTIME)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The two incidents, end to end without a token or the network: diagnose the kept log of a real boot of each
# example, then show the fix apply would commit (a dry run changes nothing). ledgersg: Django's LOGGING under
# Gunicorn; orders-api: FastAPI under uvicorn with --log-config logging.yaml.
demo: $(RUNTIME)
	$(BIN)/fixbot diagnose examples/ledgersg/logs/boot-failure.log
	$(BIN)/fixbot apply --log examples/ledgersg/logs/boot-failure.log --repo examples/ledgersg --dry-run
	$(BIN)/fixbot diagnose examples/orders-api/logs/boot-failure.log
	$(BIN)/fixbot apply --log examples/orders-api/logs/boot-failure.log --repo examples/orders-api --dry-run

# On every core (pytest-xdist); module fixtures (real boots) are built once per worker that needs them.
test: $(STAMP)
	$(BIN)/python -m pytest -q -n auto

# The property tests with new random examples each run (the suite's own are the same every run).
explore: $(STAMP)
	FIXBOT_HYPOTHESIS=explore $(BIN)/python -m pytest -q -n auto -p no:cacheprovider \
		$$(grep -rl '@given' tests --include='*.py')

# Issue 25's proof, a minute of pip: `pip install` of this repository into a fresh venv outside it, then fixbot
# --version, diagnose and apply --dry-run on a copy of an example, with no test dependency in that venv.
install-check: $(STAMP)
	FIXBOT_INSTALL_TEST=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_install.py

# What the Action installs, pinned by hash: uv itself, and fixbot's dependencies plus its build backend (the
# Action builds fixbot without build isolation) for every runner GitHub has: Linux x86_64 and aarch64, CPython
# 3.10 to 3.13, wheels only. Run after changing pyproject.toml's dependencies (tests/test_action.py checks);
# `make lock UPGRADE=--upgrade` moves every pin to the newest release.
UV_LOCK := .ci/uv-requirements.txt
ACTION_LOCK := .ci/action-requirements.txt
COMPILE = $(BIN)/uv pip compile --quiet --universal --python-version 3.10 --generate-hashes \
	--custom-compile-command 'make lock' $(UPGRADE)

$(BIN)/uv: $(STAMP) $(UV_LOCK)
	$(BIN)/pip install --quiet --no-deps --only-binary :all: --require-hashes -r $(UV_LOCK)
	touch $@

lock: $(BIN)/uv
	echo uv | $(COMPILE) - -o $(UV_LOCK)
	$(BIN)/python -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")' \
		| $(COMPILE) pyproject.toml - -o $(ACTION_LOCK)
	for machine in x86_64 aarch64; do for python in 3.10 3.11 3.12 3.13; do \
		$(BIN)/uv pip install --quiet --dry-run --target $(VENV)/lock-check --python-platform $$machine-manylinux_2_28 \
			--python-version $$python --only-binary :all: --require-hashes --no-deps -r $(ACTION_LOCK) || exit 1; \
	done; done

# Each benchmark compares with its own baseline in the same run; README (the headline) and docs/measured.md (all) record the latest numbers.
bench: $(STAMP)
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/diagnose.py
	$(BIN)/python benchmarks/apply.py
	$(BIN)/python benchmarks/locate.py
	$(BIN)/python benchmarks/codemods.py
	$(BIN)/python benchmarks/action.py

clean:
	rm -rf $(VENV) build *.egg-info
