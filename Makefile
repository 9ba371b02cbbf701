# Three entry points, each bootstrapping .venv on a fresh machine:
#   make report   the HTML report of the bundled sample run
#   make test     ruff (lint and format), mypy, then the whole test suite (unit, doctests, notebooks)
#   make lab      JupyterLab (the `lab` extra) on notebooks/; open the http://localhost:8888/lab?token=...
#                 URL it prints, Ctrl-C twice stops it. Extra flags: make lab LAB_ARGS="--port 9999"
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
LAB_STAMP := $(VENV)/.lab-installed-stamp
LAB_ARGS  ?=

.PHONY: report test lint lab bench bench-dask sample clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(LAB_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e '.[dev,lab]'
	touch $(LAB_STAMP)

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

lab: $(LAB_STAMP)
	$(VENV)/bin/jupyter lab notebooks/ $(LAB_ARGS)

bench: $(STAMP)
	$(PY) benchmarks/bench_load.py
	$(PY) benchmarks/bench_features.py
	$(PY) benchmarks/bench_report.py
	$(PY) benchmarks/bench_dataset.py
	$(PY) benchmarks/bench_sentiment.py

# about 10 minutes: 1,000,000 calls on a LocalCluster of 2 workers of 1.5 GB (docs/scale.md)
bench-dask: $(STAMP)
	$(PY) benchmarks/bench_dask.py

sample: $(STAMP)
	$(PY) -c "import analytics.datasets as d; d.write_sample()"

clean:
	rm -rf $(VENV) reports .pytest_cache .ruff_cache .mypy_cache
