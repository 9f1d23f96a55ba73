"""Scanned pages to text with Tesseract's simplified-Chinese model (Debian: tesseract-ocr, tesseract-ocr-chi-sim).

Tesseract runs as a command (no Python binding needed): the page image goes in
as PNG on its standard input and the text comes out on its standard output. The
standard model ``make install`` puts into the environment (:mod:`indexer.ingest.read.ocr_model`)
is used when it is there, Debian's smaller one otherwise.
Spaces Tesseract puts between Chinese characters are closed, so the text reads
like a text layer and goes through the same reflow and splitting; an opening
parenthesis misread as 〈 or 《 before a closing ) is mended, and so is a closing
quote read as an opening one (a second “ on a line while one is open). (A title that
runs into its body after a one-character gap cannot be told apart on a scan:
Tesseract's word boxes show that gap no wider than the spacing of justified lines.)
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from functools import cache

from PIL import Image

from indexer.errors import SourceError
from indexer.ingest.read.conversions import ConversionInterrupted
from indexer.ingest.read.ocr_model import MODEL_DIR

LANGUAGE = "chi_sim"
PACKAGES = "tesseract-ocr tesseract-ocr-chi-sim"
PAGE_TIMEOUT = 30  # seconds Tesseract may take over one page (a scanned page takes about 2.5 s, a page of noise 55)
FILE_SECONDS = 180  # seconds of OCR one file may take in all; the pages after are left out, and said so
GIVE_UP_AFTER = 2  # pages that gave no text (or took too long) before the rest of a file's scanned pages are left
OCR_DPI = 240  # scanned pages are rendered for OCR at this resolution (docs/performance.md: 144 to 400 dpi measured)
MAX_OCR_PAGES = 60  # scanned pages read from one file at most (OCR takes seconds a page)
MAX_PIXELS = 60_000_000  # an OCR page image is at most this large: a huge PDF page is rendered smaller, OFD not
# Page segmentation 6 (one uniform block of text) reads bulletin pages best; interword spaces as printed.
OPTIONS = ("--psm", "6", "-c", "preserve_interword_spaces=1")
_CJK = r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]"
_CJK_TEXT = re.compile(r"[\u4e00-\u9fff]{2}")  # two Chinese characters in a row: OCR found some text
_SPACE_IN_CJK = re.compile(rf"(?<={_CJK}) +(?={_CJK})")
# Tesseract reads the full-width （ of an attribution as 〈 or 《 and its ） as ): a pair no print has.
_MISREAD_PARENS = re.compile(r"[〈《]([^〈《〉》()（）\n]{1,40})[)）]")
# The standard model reads the closing ” of a quoted term as “: “三查“机制.
_MISREAD_CLOSE = re.compile(r"(“[^“”\n]*)“")
# Punctuation Tesseract gives in its ASCII form between Chinese characters, where print has the full-width one.
_HALF_WIDTH = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
_HALF_IN_CJK = re.compile(rf"(?<={_CJK})[ \t]*([,;:?!()]+)[ \t]*(?={_CJK})|(?<={_CJK})([,;:?!)]+)(?=[ \t]*$)", re.M)
_STRAIGHT_QUOTE = re.compile(r'"')


@cache
def tesseract_missing() -> str | None:
    """Why OCR cannot run here (naming the Debian packages to install), or None when it can."""
    listing = _languages()
    if isinstance(listing, OSError | subprocess.SubprocessError):
        return f"tesseract does not run ({listing}): reinstall the Debian packages {PACKAGES}"
    if listing is None:
        return f"scanned pages need OCR: install the Debian packages {PACKAGES}"
    if LANGUAGE not in listing.split():
        return "Tesseract has no simplified-Chinese model: install the Debian package tesseract-ocr-chi-sim"
    return None


def identity() -> str:
    """Which Tesseract and model read scans here, with which settings and limits (upgraded, installed or a limit
    changed: another identity, so a file remembered as failed is tried again)."""
    return (f"{_reader()} dpi={OCR_DPI} max_pages={MAX_OCR_PAGES} timeout={PAGE_TIMEOUT} "
            f"file_seconds={FILE_SECONDS} give_up_after={GIVE_UP_AFTER} max_pixels={MAX_PIXELS}")


@cache
def _reader() -> str:
    """Which Tesseract and model read scans here, with which options."""
    if why := tesseract_missing():
        return f"OCR: none ({why})"
    program = os.path.realpath(shutil.which("tesseract") or "tesseract")
    folder = re.search(r'"([^"]+)"', str(_languages()))
    model = os.path.join(folder.group(1) if folder else "", f"{LANGUAGE}.traineddata")
    return f"Tesseract {program} {_stamp(program)} {model} {_stamp(model)} {' '.join(OPTIONS)}"


@cache
def _languages() -> str | OSError | subprocess.SubprocessError | None:
    """What ``tesseract --list-langs`` says (its model folder and models), the error, or None without Tesseract."""
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        return None
    try:
        return subprocess.run([tesseract, "--list-langs", *_model_folder()], capture_output=True, text=True,
                              timeout=30).stdout
    except (OSError, subprocess.SubprocessError) as e:
        return e


def _model_folder() -> list[str]:
    """Tesseract's option naming the environment's model folder when the standard model is installed there."""
    return ["--tessdata-dir", str(MODEL_DIR)] if (MODEL_DIR / f"{LANGUAGE}.traineddata").is_file() else []


def _stamp(path: str) -> str:
    """A file's size and change time: another after an upgrade."""
    try:
        st = os.stat(path)
    except OSError:
        return "missing"
    return f"{st.st_size}:{st.st_mtime_ns}"


def check_ocr(path: str, scanned: int) -> None:
    """SourceError unless OCR can run here and the file's ``scanned`` pages so far are within the limit."""
    why = tesseract_missing()
    if why:
        raise SourceError(path, why)
    if scanned > MAX_OCR_PAGES:
        raise SourceError(path, f"more than {MAX_OCR_PAGES} scanned pages: too many to OCR as one bulletin issue")


class OcrBudget:
    """The OCR of one file's scanned pages, within its budget: a page that takes longer than PAGE_TIMEOUT gives no
    text; after GIVE_UP_AFTER pages without text, or FILE_SECONDS in all, the rest are left out. Each page left
    out is named in ``warnings``; the pages read stay."""

    def __init__(self, path: str):
        self.path = path
        self.spent = 0.0
        self.failed = 0
        self.warnings: list[str] = []
        self.interrupted = False  # a page was left out for want of time (another run may read it)

    def read(self, image: Callable[[], Image.Image], page: int) -> str:
        """The text of scanned page ``page`` (1-based), drawn by ``image()``, or "" when it is left out."""
        if self.failed >= GIVE_UP_AFTER or self.spent >= FILE_SECONDS:
            why = (f"{GIVE_UP_AFTER} scanned pages gave no text" if self.failed >= GIVE_UP_AFTER
                   else f"OCR of this file took {FILE_SECONDS} s already")
            self.interrupted = self.interrupted or self.spent >= FILE_SECONDS
            self.warnings.append(f"page {page} left out: {why}")
            return ""
        started = time.monotonic()
        try:
            text = ocr_image(image(), f"{self.path} page {page}")
        except ConversionInterrupted as e:
            self.failed += 1
            self.interrupted = True
            self.warnings.append(f"page {page} left out: {e.reason}")
            return ""
        finally:
            self.spent += time.monotonic() - started
        if not _CJK_TEXT.search(text):
            self.failed += 1
        return text


def ocr_image(image: Image.Image, path: str, language: str = LANGUAGE, options: tuple[str, ...] = OPTIONS) -> str:
    """The text Tesseract reads on one page image (other models and options: bench.ocr_settings); SourceError when
    it fails or takes too long."""
    why = tesseract_missing()
    if why:
        raise SourceError(path, why)
    png = io.BytesIO()
    image.save(png, "PNG")
    # One thread per Tesseract: the build runs it once per page, and the machine's cores serve the rest.
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    try:
        done = subprocess.run(["tesseract", "stdin", "stdout", *_model_folder(), "-l", language, *options],
                              input=png.getvalue(), capture_output=True, timeout=PAGE_TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        raise ConversionInterrupted(path, f"OCR of a page took longer than {PAGE_TIMEOUT} s") from None
    if done.returncode < 0:
        raise ConversionInterrupted(path, f"Tesseract was stopped by signal {-done.returncode}")
    if done.returncode != 0:
        raise SourceError(path, f"OCR failed: {done.stderr.decode('utf-8', 'replace').strip()[-200:]}")
    return mend(done.stdout.decode("utf-8", "replace"))


def mend(text: str) -> str:
    """Tesseract's text as a text layer would have it: no spaces between Chinese characters, the full-width
    punctuation of Chinese print, paired quotes, misread brackets and closing quotes mended."""
    text = _MISREAD_PARENS.sub(r"（\1）", _SPACE_IN_CJK.sub("", text))
    text = _HALF_IN_CJK.sub(lambda m: "".join(_HALF_WIDTH[c] for c in m.group(1) or m.group(2)), text)
    text = "\n".join(_paired_quotes(line) for line in text.split("\n"))
    return _MISREAD_CLOSE.sub(r"\1”", text)


def _paired_quotes(line: str) -> str:
    """Straight double quotes in a line of Chinese text as opening and closing quotes, in turn."""
    if '"' not in line or not re.search(_CJK, line):
        return line
    marks = iter(("“", "”") * (line.count('"') // 2 + 1))
    return _STRAIGHT_QUOTE.sub(lambda m: next(marks), line)
