# cohorts: set up, run the main job on the synthetic data, test.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# `make reproduce` runs at scale 0.15 (every figure has content and every 6-year survival number is released,
# first-time buyers included; at 0.1 the high starters' six-year value is pooled); its synthetic data are
# generated into out/data-0.15-20221 on the first run (seconds) and reused after
SCALE  ?= 0.15
SEED   ?= 20221
OUT    ?= out
# the small sample is data_synthetic/ (scale 0.01, seed 20221, generated, not committed: `make reproduce SCALE=0.01`
# uses it, as do the tests and the notebooks; it is re-made whenever the generator changes); other scales or seeds go to
# out/.  Its scale and seed are also in tests/sample.py (tests/synth/test_sample.py checks they agree).
SAMPLE_DIR   := data_synthetic
SAMPLE_SCALE := 0.01
SAMPLE_SEED  := 20221
DATA   ?= $(if $(and $(filter $(SAMPLE_SCALE),$(SCALE)),$(filter $(SAMPLE_SEED),$(SEED))),$(SAMPLE_DIR),$(OUT)/data-$(SCALE)-$(SEED))

.PHONY: venv reproduce test data notebooks paper benchmark clean wheelhouse

# what the small sample is made from: re-made when any of these is newer than its manifest
SAMPLE        := $(SAMPLE_DIR)/manifest.json
MAKE_SAMPLE   = $(BIN)/cohorts synth --scale $(SAMPLE_SCALE) --seed $(SAMPLE_SEED) --out $(SAMPLE_DIR)
SYNTH_SOURCES := $(shell find src/cohorts/synth -name '*.py' -o -name '*.toml') src/cohorts/columns.py src/cohorts/io.py src/cohorts/atomic.py

$(BIN)/cohorts: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(BIN)/cohorts

venv: $(BIN)/cohorts

## Main job: synthetic data (made if missing; SCALE=0.01 uses the small sample), build with the selection table
## and cohort summary, then every table and figure of the report and the comparison with its published numbers.
reproduce: venv $(if $(filter $(SAMPLE_DIR),$(DATA)),$(SAMPLE))
	@test -f $(DATA)/manifest.json || $(BIN)/cohorts synth --scale $(SCALE) --seed $(SEED) --out $(DATA)
	$(BIN)/cohorts build --data $(DATA) --out $(OUT)/build
	$(BIN)/cohorts reproduce --data $(DATA) --scale $(SCALE) --seed $(SEED) --out $(OUT) --paper paper

$(SAMPLE): $(BIN)/cohorts $(SYNTH_SOURCES)
	$(MAKE_SAMPLE)

## Re-make the small sample in data_synthetic/ (scale 0.01, seed 20221; byte-identical; a few seconds) and record
## its manifest in tests/synth/data/ (the tests check every machine makes the same bytes).
data: venv
	$(MAKE_SAMPLE)
	cp $(SAMPLE) tests/synth/data/sample_manifest.json

test: venv $(SAMPLE)
	$(BIN)/python -m pytest

## Execute the notebooks headless (they read ../data_synthetic). They show only the gated release: 01-04 (the report on
## high mortgages) that the first one writes to out/notebooks/release (cohorts.studies.high_mortgages.notebook), 07 (the
## interest-only study) what `cohorts refinance` writes to out/notebooks/io_release; their checker/ folders are for the
## output checker only; the executed notebooks go to out/notebooks; the build (microdata, stays inside) to out/build.
notebooks: venv $(SAMPLE)
	$(BIN)/jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=1800 --output-dir out/notebooks notebooks/*.ipynb

## Build paper/main.pdf when LaTeX is installed (see paper/README.md).
paper:
	@if command -v latexmk >/dev/null 2>&1; then cd paper && latexmk -pdf -interaction=nonstopmode main.tex; \
	elif command -v pdflatex >/dev/null 2>&1; then cd paper && pdflatex -interaction=nonstopmode main.tex && pdflatex -interaction=nonstopmode main.tex; \
	else echo "make paper: no LaTeX installed; see paper/README.md"; fi

benchmark: venv
	$(BIN)/python benchmarks/run.py --scale 0.1 --out benchmarks/results-0.1.json

## Offline install (CBS Remote Access has no internet): every wheel the package needs, for one Python version and
## platform, in $(WHEELHOUSE)/; carry the folder in and run `pip install --no-index --find-links wheelhouse cohorts`
## (README, "Offline install"). PLATFORM may list several tags (win_amd64 for a Windows environment).
PYTHON_VERSION ?= $(shell $(PYTHON) -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
PLATFORM       ?= manylinux_2_28_x86_64 manylinux2014_x86_64
WHEELHOUSE     ?= wheelhouse
wheelhouse:
	rm -rf $(WHEELHOUSE) && mkdir -p $(WHEELHOUSE)
	rm -rf build  # setuptools would pack stale files of an earlier build/lib into the wheel
	$(PYTHON) -m pip wheel --quiet --no-deps --wheel-dir $(WHEELHOUSE) .
	rm -rf build
	$(PYTHON) -m pip download --quiet --only-binary=:all: --python-version $(PYTHON_VERSION) \
	  $(foreach p,$(PLATFORM),--platform $(p)) --dest $(WHEELHOUSE) $(WHEELHOUSE)/cohorts-*.whl
	@ls $(WHEELHOUSE) | wc -l | xargs printf '%s wheels in $(WHEELHOUSE)/ for Python $(PYTHON_VERSION) on $(PLATFORM)\n'

clean:
	rm -rf $(VENV) $(OUT) build *.egg-info src/*.egg-info
