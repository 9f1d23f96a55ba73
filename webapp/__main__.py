"""``python -m webapp``: serve Jianbao with waitress, building the index first when there is none."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import waitress

from indexer.build import build
from indexer.errors import IndexMissing, IndexStale, JianbaoError, Report
from indexer.index.layout import check_compatible, current_build
from indexer.settings import SettingError, Settings
from webapp import MAX_BODY, create_app

MAX_HEADER_BYTES = 96 * 1024  # request line and headers together


def main(argv: list[str] | None = None) -> int:
    """Parse options, make sure an index exists, and serve until interrupted."""
    try:
        settings = Settings.from_env()
    except SettingError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    p = argparse.ArgumentParser(prog="python -m webapp", description="Serve the Jianbao search site and API.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=5000, help="port (default 5000)")
    p.add_argument("--index-dir", type=Path, default=None,
                   help="index folder (default $JIANBAO_INDEX_DIR or index_data/)")
    p.add_argument("--threads", type=int, default=settings.threads, help="worker threads")
    p.add_argument("--no-build", action="store_true", help="do not build a missing or outdated index")
    args = p.parse_args(argv)
    index_dir = args.index_dir or settings.index_dir
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        if not args.no_build:
            ensure_index(index_dir, settings)
    except JianbaoError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    app = create_app({"INDEX_DIR": str(index_dir)}, settings)
    print(f"Jianbao serving {index_dir} on http://{args.host}:{args.port}/", file=sys.stderr)
    waitress.serve(app, host=args.host, port=args.port, threads=args.threads, ident="jianbao",
                   max_request_header_size=MAX_HEADER_BYTES, max_request_body_size=MAX_BODY)
    return 0


def ensure_index(index_dir: Path, settings: Settings) -> None:
    """Build the index of the corpus folder when it is missing or was built with another dictionary."""
    try:
        check_compatible(current_build(index_dir))
        return
    except (IndexMissing, IndexStale) as why:
        print(f"{why}\nbuilding it now from {settings.corpus_dir} …", file=sys.stderr)
    summary = build([settings.corpus_dir], index_dir, Report(), settings.workers, settings.lock_wait)
    print(summary.line("built"), file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
