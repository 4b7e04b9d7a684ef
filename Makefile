# The two commands of the README: `make demo` and `make test`. Everything they
# need is installed from here: the virtual environment, the Python packages and,
# where missing and we are allowed to, the Debian packages.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export MOTCUA_INSTANCE_PATH ?= $(CURDIR)/instance

SYSTEM_TOOLS := pdftotext:poppler-utils chromium:chromium
SYSTEM_FILES := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:fonts-dejavu-core

.PHONY: demo test bench venv sysdeps clean

$(BIN)/activate: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[postgres]'
	touch $(BIN)/activate

venv: $(BIN)/activate

$(BIN)/.test-extras: $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Debian packages the product and its tests use (fonts for PDFs, pdftotext to
# check them, Chromium for the browser tests). Installed only when missing.
sysdeps:
	@missing=""; \
	for pair in $(SYSTEM_TOOLS); do command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair##*:}"; done; \
	for pair in $(SYSTEM_FILES); do [ -e $${pair%%:*} ] || missing="$$missing $${pair##*:}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Please install:$$missing (apt-get install$$missing)"; exit 1; fi; \
	fi

demo: venv sysdeps
	$(BIN)/motcua init --demo
	@echo "Một Cửa Builder: http://$(HOST):$(PORT)/  (admin / admin, desk / desk, officer / officer)"
	$(BIN)/motcua serve --host $(HOST) --port $(PORT)

test: $(BIN)/.test-extras sysdeps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(BIN)/.test-extras
	$(BIN)/python bench/submit.py

clean:
	rm -rf $(VENV) build *.egg-info
