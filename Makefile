# Two entry points, each bootstrapping .venv on a fresh machine:
#   make report   the HTML report of the bundled sample run
#   make test     ruff (lint and format), mypy, then the whole test suite (unit, doctests, notebooks)
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: report test lint bench sample clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

report: $(STAMP)
	$(VENV)/bin/unpod-analytics report --out reports/sample

test: $(STAMP)
	$(PY) -m ruff check analytics tests benchmarks
	$(PY) -m ruff format --check analytics tests benchmarks
	$(PY) -m mypy
	$(PY) -m pytest -n 2 -q

lint: $(STAMP)
	$(PY) -m ruff check analytics tests benchmarks
	$(PY) -m ruff format --check analytics tests benchmarks
	$(PY) -m mypy

bench: $(STAMP)
	$(PY) benchmarks/bench_load.py
	$(PY) benchmarks/bench_features.py
	$(PY) benchmarks/bench_report.py

sample: $(STAMP)
	$(PY) -c "import analytics.datasets as d; d.write_sample()"

clean:
	rm -rf $(VENV) reports .pytest_cache .ruff_cache .mypy_cache
