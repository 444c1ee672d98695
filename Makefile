# mtlib: two commands do all the set-up on a fresh machine.
#   make reproduce [PROFILE=smoke|quick|paper]   run the notebooks in order (papermill)
#   make test                                    run the whole test suite, notebooks included
#   make app [PORT=8866]                         the explorer as a web app (Voilà, 127.0.0.1)
#   make docs                                    the book (notebooks, guides, API) → docs/_build/html
#   make test-browser                            the explorer and the book in headless Chromium
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PROFILE ?= quick

.PHONY: setup reproduce test app docs test-browser bench ship field-network posterior-network \
	clean-data

# The environment is rebuilt when the project's install file changes.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

setup: $(VENV)/.installed

# An extra of pyproject.toml on top of the environment: .installed-app, .installed-browser
$(VENV)/.installed-%: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[dev,$*]"
	touch $@

reproduce: setup
	$(PY) -m mtlib reproduce --profile $(PROFILE)

test: setup
	$(PY) -m ruff check mtlib tests bench tools conftest.py
	$(PY) -m ruff format --check mtlib tests bench tools conftest.py
	$(PY) -m pytest

PORT ?= 8866
app: $(VENV)/.installed-app
	$(PY) -m mtlib app --port $(PORT)

# The book: the notebooks with their committed outputs (never re-run), the guides and the API
# reference; a warning fails the build. The API pages are generated afresh from the package.
docs: $(VENV)/.installed-docs
	rm -rf docs/generated
	$(PY) -m sphinx -b html -W --keep-going -q docs docs/_build/html

# The browser is the operating system's Chromium (Debian's package), never a download.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
test-browser: docs $(VENV)/.installed-browser
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }
	$(PY) -m pytest --browser tests/browser

# Every benchmark JSON in bench/results/, then the README's numbers generated from them.
bench: $(VENV)/.installed-browser
	$(PY) bench/forward.py
	$(PY) bench/inference.py
	$(PY) bench/explorer.py
	$(PY) bench/field.py
	$(PY) bench/field.py --network ensemble_quick --out bench/results/field_ensemble.json
	$(PY) bench/fieldnet.py
	$(PY) bench/ensemble.py
	$(PY) bench/train.py
	$(PY) bench/browser.py
	$(PY) bench/posterior.py --min-ess 200 400 --tempering
	$(PY) bench/survey.py
	$(PY) bench/posteriornet.py --cache
	$(PY) bench/posteriornet.py
	$(PY) tools/readme.py

# Copy the finished network and ensemble of PROFILE into mtlib/weights/ with their model cards.
ship: setup
	$(PY) -m mtlib ship --profile $(PROFILE)
	$(PY) -m mtlib ship --profile $(PROFILE) --ensemble

# Train (or resume) the field network of FIELD_PROFILE and ship it with its model card.
FIELD_PROFILE ?= field_quick
field-network: setup
	$(PY) -m mtlib train-field --profile $(FIELD_PROFILE) --ship

# Train (or resume) the posterior network of POSTERIOR_PROFILE (earths of the sampler's priors,
# pinball loss; ≈ 25–45 min on 2 cores for posterior_quick) and ship it with its model card.
POSTERIOR_PROFILE ?= posterior_quick
posterior-network: setup
	$(PY) -m mtlib train-field --profile $(POSTERIOR_PROFILE) --ship

clean-data:
	rm -rf data runs
