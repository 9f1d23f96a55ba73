"""Tesseract's standard simplified-Chinese model, installed into the environment (`make install`).

Debian's ``tesseract-ocr-chi-sim`` is the small "fast" model. The standard one of
tesseract-ocr/tessdata (Apache-2.0; 44 MB) reads rare characters it misses, such as
砥砺 (docs/performance.md, OCR settings). No Debian or PyPI package carries it; the npm registry
does, as ``@tesseract.js-data/chi_sim`` 1.0.0 (its ``4.0.0/chi_sim.traineddata.gz``).
``make install`` runs this module: it fetches that package once, checks its digest,
and writes the model to ``<environment>/share/tessdata/``, where :mod:`indexer.ingest.read.ocr`
looks first. Without it, OCR falls back to the model Tesseract has.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

from indexer.atomic import atomic_write

MODEL_DIR = Path(sys.prefix) / "share" / "tessdata"
PACKAGE_URL = "https://registry.npmjs.org/@tesseract.js-data/chi_sim/-/chi_sim-1.0.0.tgz"
# The package's npm integrity (sha512), as the registry lists it for version 1.0.0.
PACKAGE_SHA512 = "iuErURkPbECDUazgsLn/r3c+tU2y5o5S/w14d0A/YiagfsjYyZKgTo75RUpsGJ311qtu0dIX4hqnXAAjmqf2CA=="
MEMBER = "package/4.0.0/chi_sim.traineddata.gz"
TIMEOUT = 60  # seconds without data before the download is given up


def install(folder: Path = MODEL_DIR) -> Path:
    """Fetch the package, check it and write ``chi_sim.traineddata`` into ``folder``; OSError or ValueError when the
    download fails or is not the package named."""
    with urllib.request.urlopen(PACKAGE_URL, timeout=TIMEOUT) as response:
        package = response.read()
    digest = base64.b64encode(hashlib.sha512(package).digest()).decode()
    if digest != PACKAGE_SHA512:
        raise ValueError(f"{PACKAGE_URL} is not the package expected (sha512 {digest})")
    with tarfile.open(fileobj=io.BytesIO(package), mode="r:gz") as archive:
        member = archive.extractfile(MEMBER)
        if member is None:
            raise ValueError(f"{PACKAGE_URL} holds no {MEMBER}")
        model = gzip.decompress(member.read())
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "chi_sim.traineddata"
    atomic_write(target, model)
    return target


def main() -> int:
    """Install the model, or say why not and that OCR uses Tesseract's own model (exit 0 either way: optional)."""
    try:
        target = install()
    except (OSError, ValueError) as e:
        print(f"could not install Tesseract's standard chi_sim model from {PACKAGE_URL} ({e}): scanned pages will "
              f"be read with the model of the Debian package tesseract-ocr-chi-sim, which misses rare characters",
              file=sys.stderr)
        return 0
    print(f"installed {target} ({target.stat().st_size // 1_000_000} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
