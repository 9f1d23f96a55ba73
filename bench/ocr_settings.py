"""OCR settings on the scanned seed issues: ``python -m bench.ocr_settings [--dpi N ...] [--psm N] [--lang L]``.

For each resolution, renders the pages of ``realworld/seeds_formats/*_scanned.pdf``
(150-dpi grey scans of the two seed issues, 5 pages, 14 items), reads them with
Tesseract and splits the text as the product does, then prints one row of docs/performance.md's table: items
found, titles exactly right, years right, characters right (edit distance of all
titles and bodies to the seed text, full width folded) and Tesseract's CPU seconds a
page. Needs ../shared and Tesseract; about half a minute a resolution on an idle machine.
"""

from __future__ import annotations

import argparse
import re
import resource
import unicodedata
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image
from rapidfuzz.distance import Levenshtein

from indexer.errors import Report
from indexer.ingest.files import read_items
from indexer.ingest.read.meta import IssueMeta
from indexer.ingest.read.ocr import LANGUAGE, OCR_DPI, ocr_image
from indexer.ingest.read.pagetext import join_pages
from indexer.ingest.split.issues import issue_items

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "realworld" / "seeds_formats"
ISSUES = ("000_481367547d7bb0e8", "004_25bc5815877f9951")


def otsu(image: Image.Image) -> Image.Image:
    """The grey image binarised at Otsu's threshold (the one that best separates ink from paper)."""
    counts = np.bincount(np.asarray(image).ravel(), minlength=256).astype(float)
    levels = np.arange(256)
    below = np.cumsum(counts)
    above = below[-1] - below
    mass = np.cumsum(counts * levels)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = below * above * (mass / below - (mass[-1] - mass) / above) ** 2
    threshold = int(np.nanargmax(spread))
    return image.point(lambda v: 255 if v > threshold else 0)


def measure(dpi: float, language: str, options: tuple[str, ...], binarise: bool) -> str:
    """One table row for a setting."""
    items = right_titles = right_years = distance = length = pages = 0
    expected_items = 0
    cpu = 0.0
    for issue in ISSUES:
        expected = list(read_items([SEEDS / f"{issue}.txt"], Report(stream=None)))
        document = pdfium.PdfDocument(str(SEEDS / f"{issue}_scanned.pdf"))
        texts = []
        for number in range(len(document)):
            image = document[number].render(scale=dpi / 72, grayscale=True).to_pil()
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            texts.append(ocr_image(otsu(image) if binarise else image, issue, language, options).splitlines())
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu += after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            pages += 1
        got = issue_items(f"{issue}_scanned.pdf", join_pages(texts), IssueMeta())
        items += len(got)
        expected_items += len(expected)
        right_titles += sum(g.title == e.title for g, e in zip(got, expected))
        right_years += sum(g.year == e.year for g, e in zip(got, expected))
        read, right = (unicodedata.normalize("NFKC", re.sub(r"\s+", "", "".join(i.title + i.body for i in found)))
                       for found in (got, expected))
        distance += Levenshtein.distance(read, right)
        length += len(right)
    setting = f"{dpi:g} dpi, {language}, {' '.join(options)}{', Otsu' if binarise else ''}"
    counts = " | ".join(f"{n}/{expected_items}" for n in (items, right_titles, right_years))
    return f"| {setting} | {counts} | {100 * (1 - distance / length):.2f}% | {cpu / pages:.2f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpi", type=float, nargs="+", default=[144, 216, OCR_DPI, 260, 300])
    parser.add_argument("--psm", default="6", help="Tesseract page segmentation mode")
    parser.add_argument("--lang", default=LANGUAGE, help="Tesseract model(s), e.g. chi_sim+HanS")
    parser.add_argument("--otsu", action="store_true", help="binarise the page before OCR")
    args = parser.parse_args()
    options = ("--psm", args.psm, "-c", "preserve_interword_spaces=1")
    print("| setting | items | titles | years | characters | CPU s/page |\n|---|---|---|---|---|---|")
    for dpi in args.dpi:
        print(measure(dpi, args.lang, options, args.otsu), flush=True)


if __name__ == "__main__":
    main()
