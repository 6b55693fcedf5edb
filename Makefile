# Two commands do all the set-up on a fresh machine with only python3: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

CHROMIUM := /usr/bin/chromium
BWRAP := /usr/bin/bwrap
# Root installs directly; anyone else through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test test-fast bench train-judge clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first: 2.13.0 is the CPU build on these machines; anything else pulls CUDA packages.
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[test]'
	touch $(STAMP)

run: $(STAMP) $(BWRAP)
	$(BIN)/interviewer ui

# Candidate code runs inside bubblewrap (Debian's bubblewrap): without it, Run is refused.
$(BWRAP):
	$(SUDO) apt-get install -y bubblewrap || ($(SUDO) apt-get update && $(SUDO) apt-get install -y bubblewrap)

# The browser test drives Debian's Chromium through Playwright (never `playwright install`).
$(CHROMIUM):
	$(SUDO) apt-get install -y chromium || ($(SUDO) apt-get update && $(SUDO) apt-get install -y chromium)

test: $(STAMP) $(CHROMIUM) $(BWRAP)
	$(BIN)/python -m pytest

# The unit tests only: fakes for the judge and the speaker, no model, no server, no browser.
test-fast: $(STAMP) $(BWRAP)
	$(BIN)/python -m pytest tests/unit

bench: $(STAMP) $(BWRAP)
	$(BIN)/python -m evals.bench_retrieval
	$(BIN)/python -m evals.bench_judge
	$(BIN)/python -m evals.bench_engine
	$(BIN)/python -m evals.bench_tokens
	$(BIN)/python -m evals.bench_runner
	$(BIN)/python -m evals.quality

# Rebuilds the judge's trained model and score map from the repository's data (fixed seed;
# about an hour on 2 cores). `make run` and `make test` never train: the results ship in the package.
train-judge: $(STAMP)
	$(BIN)/python -m evals.train_judge
	$(BIN)/python -m evals.fit_scores

clean:
	rm -rf $(VENV) build dist .pytest_cache artefacts
