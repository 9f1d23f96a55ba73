"""Ingestion against the public labels, the development set split in two: ``python -m bench.ingest_labels``.

Scores titles, units, dates (the primary date), issues and item counts with ``../shared/eval/score_ingest.py``
on ``realworld`` and on the two halves of ``realworld3``: its files in sorted order, even positions the
development half A (rules are written from it), odd positions the check half B (scored only, never read to
tune a rule: ``-v`` lists the wrong fields of development sets only). The held-out archives (``realworld2``,
``realworld4``) are parsed, never scored or shown: only their item and skip counts. Parse time is the best
of ``--repeat`` reads with the conversion cache warm (splitting and enrichment, not LibreOffice).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from indexer.errors import Report
from indexer.ingest.files import iter_files, read_files
from indexer.ingest.read.conversions import ConversionCache
from indexer.ingest.read.documents import DocumentReader

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
CORPORA = SHARED / "corpora"
SCORER = SHARED / "eval" / "score_ingest.py"
HELD_OUT = ("realworld2", "realworld4")


def halves(archive: Path) -> tuple[list[Path], list[Path]]:
    """The archive's files in sorted order (SOURCES.md left out): even positions A, odd positions B."""
    files = sorted(p for p in archive.rglob("*") if p.is_file() and p.suffix != ".md")
    return files[0::2], files[1::2]


def parse(files: list[Path], root: Path, documents: DocumentReader, repeat: int) -> tuple[list[dict], int, float]:
    """The items of the files as dicts (sources relative to ``root``), files skipped, best parse seconds."""
    best = float("inf")
    for _ in range(repeat):
        report = Report(stream=None)
        started = time.perf_counter()
        items = [item.to_dict() for _path, found in read_files(files, report, root, documents) for item in found]
        best = min(best, time.perf_counter() - started)
    return items, report.files_skipped, best


def score(labels: Path, archive: Path, files: list[Path], items: list[dict], verbose: bool) -> dict:
    """The scorer's summary for the labelled files among ``files`` (its wrong fields printed when verbose)."""
    keep = {p.relative_to(archive).as_posix() for p in files}
    data = json.loads(labels.read_text(encoding="utf-8"))
    data["files"] = {k: v for k, v in data["files"].items() if k in keep}
    with tempfile.TemporaryDirectory() as tmp:
        label_file, parsed = Path(tmp) / "labels.json", Path(tmp) / "parsed.jsonl"
        label_file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        parsed.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
        out = subprocess.run([sys.executable, str(SCORER), str(label_file), str(archive), str(parsed)]
                             + (["-v"] if verbose else []), capture_output=True, text=True, check=True).stdout
    if verbose:
        print("\n".join(line for line in out.splitlines() if " #" in line))
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="parse each set this many times, keep the best time")
    ap.add_argument("-v", "--verbose", action="store_true", help="list wrong fields (realworld and half A only)")
    args = ap.parse_args()
    a, b = halves(CORPORA / "realworld3")
    sets = [("realworld", sorted(iter_files([CORPORA / "realworld"], Report(stream=None))), "realworld", True),
            ("realworld3 A", a, "realworld3", True), ("realworld3 B", b, "realworld3", False)]
    sets += [(name, sorted(iter_files([CORPORA / name], Report(stream=None))), name, False) for name in HELD_OUT]
    print("| set | files | skipped | items | split exact | titles | units | dates | issues | parse s |\n"
          "|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as cache_dir:
        documents = DocumentReader(ConversionCache(Path(cache_dir)))
        for name, files, archive_name, development in sets:
            archive = CORPORA / archive_name
            parse(files, archive, documents, 1)  # conversions cached: the timed runs split and enrich
            items, skipped, seconds = parse(files, archive, documents, args.repeat)
            labels = SHARED / "eval" / f"{archive_name}_public_labels.json"
            row = [name, str(len(files)), str(skipped), str(len(items))]
            if labels.exists() and archive_name not in HELD_OUT:
                s = score(labels, archive, files, items, args.verbose and development)
                row += [s["split_exact_files"], s["title"], s["units"], s["date_strict"], s["issue"]]
            else:
                row += ["", "", "", "", ""]
            print("| " + " | ".join(row + [f"{seconds:.2f}"]) + " |", flush=True)


if __name__ == "__main__":
    main()
