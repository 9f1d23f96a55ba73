# Jianbao: `make run` serves the bundled corpus, `make test` runs the tests (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install browser eval bench clean

run: install
	$(PY) -m webapp --host $(HOST) --port $(PORT)

test: install browser
	$(PY) -m pytest

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# The browser tests need Debian's Chromium and a CJK font.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  (apt-get install -y --no-install-recommends chromium fonts-noto-cjk >/dev/null 2>&1 || \
	   (apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends chromium fonts-noto-cjk >/dev/null)) \
	  || echo "could not install chromium: run as root, or install the chromium package"; \
	fi

# Relevance on the shared evaluation set (needs ../shared; builds an index of the xwlb corpus).
eval: install
	$(PY) -m bench.relevance

# Speed and memory against Tantivy (needs ../shared; about 20 minutes).
bench: install
	$(PY) -m bench.speed

clean:
	rm -rf $(VENV) index_data/current index_data/builds index_data/.lock
