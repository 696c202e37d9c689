# Two commands for a fresh machine: `make run` (serve the demo city) and `make test` (the whole suite).
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
PYTHON ?= python3

.PHONY: run test install translations extract-messages vendor-assets clean bench bench-check

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -U pip==26.3

$(VENV)/.runtime: $(BIN)/activate requirements.txt
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime

translations: $(VENV)/.runtime
	$(BIN)/pybabel compile --statistics -d planner_platform/translations

run: install translations
	mkdir -p instance
	APP_CONFIG=development $(BIN)/flask --app wsgi db upgrade
	APP_CONFIG=development $(BIN)/flask --app wsgi seed-demo
	@echo "Serving the demo city at http://127.0.0.1:$(PORT) (demo accounts: see README.md)"
	APP_CONFIG=development bash scripts/run-embedded.sh $(PORT)

test: $(VENV)/.dev translations
	bash scripts/run-tests.sh

# Benchmarks (issue #15): planner_bench_$(SIZE) on the local PostgreSQL, built once; results in bench/results/.
SIZE ?= tiny
BENCH_ARGS ?=
bench: translations
	$(BIN)/python benchmarks/run.py --size $(SIZE) $(BENCH_ARGS)

bench-check:
	$(BIN)/python benchmarks/run.py --size $(SIZE) --check

# Refresh the message catalogs after changing user-visible strings, then translate the new entries.
extract-messages: $(VENV)/.runtime
	$(BIN)/pybabel extract -F babel.cfg -k _l --ignore-dirs=".* __pycache__" -o planner_platform/translations/messages.pot .
	$(BIN)/pybabel update -i planner_platform/translations/messages.pot -d planner_platform/translations

vendor-assets:
	bash scripts/vendor-assets.sh

clean:
	rm -rf $(VENV) instance
