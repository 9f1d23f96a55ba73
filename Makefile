# Jianbao: `make run` serves the bundled corpus, `make test` runs the tests (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install browser eval bench load clean

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
	@if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/opentype/noto ]; then \
	  (DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-cjk >/dev/null 2>&1 || \
	   (apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-cjk >/dev/null)) \
	  || echo "could not install chromium: run as root, or install the chromium package"; \
	fi

# Relevance on the shared evaluation set (needs ../shared; builds an index of the xwlb corpus).
eval: install
	$(PY) -m bench.relevance

# Speed and memory against Tantivy (needs ../shared; about 10 minutes, 40 with --scales 1 2 4).
bench: install
	$(PY) -m bench.speed

# A bounded load test (loopback, 8 and 32 clients, 60 s each) of the server over an index: make load INDEX=DIR
load: install
	$(PY) -m bench.load --index-dir $(INDEX)

clean:
	rm -rf $(VENV) index_data/current index_data/builds index_data/.lock
