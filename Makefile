# cohorts: set up, run the main job on the synthetic data, test.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SCALE  ?= 0.01
SEED   ?= 20221
DATA   ?= data_synthetic
OUT    ?= out

.PHONY: venv reproduce test data benchmark clean

$(BIN)/cohorts: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(BIN)/cohorts

venv: $(BIN)/cohorts

## Main job: (re)generate the synthetic data if missing, build cohorts, analyse.
reproduce: venv
	@test -f $(DATA)/manifest.json || $(BIN)/cohorts synth --scale $(SCALE) --seed $(SEED) --out $(DATA)
	$(BIN)/cohorts build --data $(DATA) --out $(OUT)
	$(BIN)/cohorts analyze --cohorts $(OUT)/cohorts.parquet --out $(OUT)/analysis

## Re-make the committed sample in data_synthetic/ (byte-identical for the same seed).
data: venv
	$(BIN)/cohorts synth --scale $(SCALE) --seed $(SEED) --out $(DATA)

test: venv
	$(BIN)/python -m pytest

benchmark: venv
	$(BIN)/python benchmarks/run.py --scale 0.1 --out benchmarks/results-0.1.json

clean:
	rm -rf $(VENV) $(OUT) build *.egg-info src/*.egg-info
