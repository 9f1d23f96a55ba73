# Jianbao: `make run` serves the bundled corpus, `make test` runs the tests (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
OCR_MODEL := $(VENV)/share/tessdata/chi_sim.traineddata
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-quick lint install system eval bench load clean

# `make run CORPUS=/path/to/archive` serves another archive (rebuilt when its files change).
run: install
	$(if $(CORPUS),JIANBAO_CORPUS_DIR="$(abspath $(CORPUS))") $(PY) -m webapp --host $(HOST) --port $(PORT)

test: install system lint
	$(PY) -m pytest

# The tests that need neither ../shared nor the system packages (a quick check while working).
test-quick: install
	$(PY) -m pytest -m "not shared and not browser and not system"

lint: install
	$(VENV)/bin/ruff check .

install: $(VENV)/.installed $(OCR_MODEL)

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# Tesseract's standard simplified-Chinese model (from the npm registry; it reads rare characters Debian's small
# model misses). Optional: without it OCR uses Debian's model (indexer/ingest/read/ocr_model.py).
$(OCR_MODEL): | $(VENV)/.installed
	$(PY) -m indexer.ingest.read.ocr_model

# Debian packages the tests drive: Chromium and a CJK font (browser tests), LibreOffice (.doc .wps .rtf .odt),
# Tesseract with its simplified-Chinese model (scanned pages), Sphinx (the cluster backend), nginx (the
# deployment example). Installed only when one is missing.
SYSTEM_PACKAGES := chromium fonts-noto-cjk libreoffice-writer-nogui tesseract-ocr tesseract-ocr-chi-sim sphinxsearch nginx
SYSTEM_COMMANDS := /usr/bin/chromium /usr/share/fonts/opentype/noto /usr/bin/soffice /usr/bin/tesseract \
	/usr/share/tesseract-ocr/5/tessdata/chi_sim.traineddata /usr/bin/searchd /usr/sbin/nginx
system:
	@missing=0; for f in $(SYSTEM_COMMANDS); do [ -e $$f ] || missing=1; done; \
	if [ $$missing = 1 ]; then \
	  (DEBIAN_FRONTEND=noninteractive apt-get install -y $(SYSTEM_PACKAGES) >/dev/null 2>&1 || \
	   (apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y $(SYSTEM_PACKAGES) >/dev/null)) \
	  || echo "could not install $(SYSTEM_PACKAGES): run as root, or install these Debian packages"; \
	fi

# Relevance on the shared evaluation set (needs ../shared; builds an index of the xwlb corpus).
eval: install
	$(PY) -m bench.relevance

# Speed and memory against Tantivy (needs ../shared; about 10 minutes, 40 with --scales 1 2 4).
bench: install
	$(PY) -m bench.speed

# A bounded load test over an index, the old single-process server and the production server side by side
# (loopback; 1, 8 and 32 clients, 30 s each, two rounds; about 8 minutes): make load INDEX=DIR
load: install
	$(PY) -m bench.load --index-dir $(INDEX)

clean:
	rm -rf $(VENV) index_data/current index_data/builds index_data/archives index_data/.lock index_data/.serving
