"""``python -m webapp``: serve Jianbao with the production server (:mod:`webapp.server`), the backend made ready
first (the local index built when it must be, once, before any worker starts)."""

from __future__ import annotations

import argparse
import dataclasses
import gc
import logging
import sys
from pathlib import Path

from flask import Flask

from backends import backend_for
from indexer.errors import JianbaoError
from indexer.settings import SettingError, Settings
from webapp import MAX_BODY, create_app
from webapp.errors import server_error
from webapp.server import ServerConfig, WorkerFailed, serve
from webapp.site import site_of
from webapp.tokens import TokenFileError, TokenStore
from webapp.uploads import UPLOAD_FORMS, upload_body_limit


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
                   help="index folder (default $JIANBAO_INDEX_DIR, else index_data/, or index_data/archives/NAME-HASH/ "
                        "for an archive named by $JIANBAO_CORPUS_DIR)")
    p.add_argument("--threads", type=int, default=None,
                   help="threads in each process for exports and changes (default $JIANBAO_THREADS)")
    p.add_argument("--processes", type=int, default=None,
                   help="worker processes (default $JIANBAO_PROCESSES, or one per core)")
    p.add_argument("--no-build", action="store_true", help="do not build a missing or outdated index")
    args = p.parse_args(argv)
    settings = dataclasses.replace(settings, index_dir=args.index_dir or settings.served_index_dir())
    try:
        TokenStore(settings.tokens_file).records()  # an unreadable file is said now, not as 503s later
    except TokenFileError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        backend = backend_for(settings)
        if not args.no_build:
            backend.prepare(lambda line: print(line, file=sys.stderr))
    except (JianbaoError, SettingError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    config = ServerConfig.from_settings(settings, host=args.host, port=args.port, threads=args.threads,
                                        processes=args.processes, search_lane=backend.search_lane,
                                        max_body=MAX_BODY, large_body=upload_body_limit(settings),
                                        large_body_paths=UPLOAD_FORMS)  # only uploads take large bodies
    print(f"Jianbao serving {backend.target} on http://{args.host}:{args.port}/ "
          f"({config.processes} processes × {config.threads} threads)", file=sys.stderr)
    try:
        serve(lambda: ready_app(settings), config, server_error)
    except WorkerFailed as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


def ready_app(settings: Settings) -> Flask:
    """The app of one worker process, its index opened and dictionary loaded before it takes a connection.

    What is loaded then lives as long as the process: it is frozen out of the garbage collector's passes
    (``gc.freeze``), which otherwise walked it in every full pass (14 ms a pass over the xwlb index, in
    the middle of a search, once every few hundred searches)."""
    app = create_app(None, settings)
    try:
        site_of(app).searcher.health()
    except JianbaoError as e:  # no usable index yet: requests say so until one is built
        logging.getLogger("jianbao.server").warning("%s", e)
    gc.freeze()
    return app


if __name__ == "__main__":
    sys.exit(main())
