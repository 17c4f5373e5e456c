# Dockyard: `make run` opens the UI, `make test` runs every test against real engines.
# Both install what they need: Debian packages as root, Python packages in .venv.

VENV        := .venv
PY          := $(VENV)/bin/python
STAMP       := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: run test fuzz bench screenshots lint venv clean

$(STAMP): pyproject.toml
	@scripts/make-venv.sh $(VENV)
	@touch $@

venv: $(STAMP)

run:
	@scripts/install-system.sh run
	@$(MAKE) --no-print-directory venv
	@scripts/run.sh

test:
	@scripts/install-system.sh test
	@$(MAKE) --no-print-directory venv
	@scripts/test-rig.sh $(PY) -m pytest $(PYTEST_ARGS)

# The native API fuzzer at length (`make test` runs a short, derandomized pass of it).
FUZZ_EXAMPLES ?= 1000
fuzz:
	@scripts/install-system.sh test
	@$(MAKE) --no-print-directory venv
	@DOCKYARD_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) scripts/test-rig.sh $(PY) -m pytest tests/security/test_api_fuzz.py -q $(PYTEST_ARGS)

bench:
	@scripts/install-system.sh test
	@$(MAKE) --no-print-directory venv
	@scripts/test-rig.sh scripts/bench.sh $(PY)

screenshots:
	@scripts/install-system.sh test
	@$(MAKE) --no-print-directory venv
	@scripts/test-rig.sh $(PY) scripts/screenshots.py --out screenshots

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(VENV)/bin/mypy bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
