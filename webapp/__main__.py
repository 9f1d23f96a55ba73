"""``python -m webapp``: serve Jianbao with the production server (:mod:`webapp.server`), building the index first
when there is none (once, before any worker starts)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from flask import Flask

from indexer.build import build
from indexer.errors import IndexMissing, IndexStale, JianbaoError, Report
from indexer.index.layout import check_compatible, current_build
from indexer.ingest.files import archive_fingerprint
from indexer.settings import SettingError, Settings
from webapp import MAX_BODY, create_app
from webapp.server import ServerConfig, WorkerFailed, serve
from webapp.uploads import upload_body_limit


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
    p.add_argument("--threads", type=int, default=None,
                   help="threads in each process for exports and changes (default $JIANBAO_THREADS)")
    p.add_argument("--processes", type=int, default=None,
                   help="worker processes (default $JIANBAO_PROCESSES, or one per core)")
    p.add_argument("--no-build", action="store_true", help="do not build a missing or outdated index")
    args = p.parse_args(argv)
    index_dir = args.index_dir or settings.index_dir
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        if not args.no_build and settings.backend == "local":  # a cluster is built with `indexer build --backend`
            ensure_index(index_dir, settings)
    except JianbaoError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    config = ServerConfig.from_settings(settings, host=args.host, port=args.port, threads=args.threads,
                                        processes=args.processes,
                                        max_body=max(MAX_BODY, upload_body_limit(settings)))  # uploads' own limit
    print(f"Jianbao serving {index_dir} on http://{args.host}:{args.port}/ "
          f"({config.processes} processes × {config.threads} threads)", file=sys.stderr)
    try:
        serve(lambda: ready_app(index_dir, settings), config)
    except WorkerFailed as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


def ready_app(index_dir: Path, settings: Settings) -> Flask:
    """The app of one worker process, its index opened and dictionary loaded before it takes a connection."""
    app = create_app({"INDEX_DIR": str(index_dir)}, settings)
    try:
        app.extensions["jianbao"].health()
    except JianbaoError as e:  # no usable index yet: requests say so until one is built
        logging.getLogger("jianbao.server").warning("%s", e)
    return app


def ensure_index(index_dir: Path, settings: Settings) -> None:
    """Build the index of the archive folder when there is none, when it was built by another version or from
    another folder, or when the archive's files changed since it was built."""
    corpus = settings.corpus_dir
    try:
        meta = check_compatible(current_build(index_dir))
    except IndexMissing:
        reason = f"there is no index in {index_dir} yet"
    except IndexStale:
        reason = f"the index in {index_dir} was built by another version of Jianbao"
    else:
        if not meta.archive_root or not corpus.is_dir() or not Path(meta.archive_root).samefile(corpus):
            reason = f"the index in {index_dir} was built from {meta.archive_root or 'other files'}"
        elif meta.fingerprint != archive_fingerprint(corpus):
            reason = f"files in {corpus} changed since the index was built"
        else:
            return
    print(f"{reason}: building it from {corpus} …", file=sys.stderr)
    summary = build([corpus], index_dir, Report(), settings.workers, settings.lock_wait, memory=settings.build_memory)
    print(summary.line("built"), file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
