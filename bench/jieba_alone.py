"""The reference for build speed: jieba's segmentation alone of the text a build segments.

``python -m bench.jieba_alone SOURCE... --tokens FILE`` reads the items (not timed),
cuts every title and body with the same jieba, dictionary and folding the index
uses (timed, one process), writes the words for the Tantivy anchor, and prints
``{"seconds": …, "items": …, "words": …}``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from indexer.analysis import jieba_tokenizer
from indexer.errors import Report
from indexer.ingest.files import read_items
from indexer.normalize import fold


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("sources", nargs="+", type=Path)
    p.add_argument("--tokens", type=Path, required=True, help="where to write the words, one item a line")
    args = p.parse_args()
    tk = jieba_tokenizer()
    seconds, items, words = 0.0, 0, 0
    with open(args.tokens, "w", encoding="utf-8") as out:
        for item in read_items(args.sources, Report(stream=None)):
            texts = fold(item.title), fold(item.body)
            started = time.perf_counter()
            title = list(tk.cut(texts[0], HMM=True))
            body = list(tk.cut(texts[1], HMM=True))
            seconds += time.perf_counter() - started
            items += 1
            words += len(title) + len(body)
            out.write(json.dumps({"id": item.id, "year": item.year or 0, "topics": item.topics,
                                  "title": " ".join(w for w in title if w.strip()),
                                  "body": " ".join(w for w in body if w.strip())}, ensure_ascii=False) + "\n")
    print(json.dumps({"seconds": seconds, "items": items, "words": words}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
