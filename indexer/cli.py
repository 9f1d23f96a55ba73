"""The indexer's command line: parse, build, update, stats, clear-cache, and the cluster commands.

The command line is an edge: it reads the settings and reaches the backend they name through
:func:`backends.backend_for` (the one place in ``indexer/`` that does); see docs/api.md for the commands.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from backends import backend_for
from cluster.cli import BACKEND_HELP, add_commands
from indexer.errors import JianbaoError, Report
from indexer.ingest.files import read_files
from indexer.ingest.read.conversions import cache_for
from indexer.progress import Progress
from indexer.settings import SettingError, Settings
from indexer.stats import stats_text


def main(argv: list[str] | None = None) -> int:
    """Run one command; domain errors become one line on stderr and exit status 2."""
    args = _parser().parse_args(argv)
    try:
        args.settings = Settings.from_env()
        if getattr(args, "index_dir", "unset") is None:
            args.index_dir = args.settings.index_dir
        return args.run(args)
    except (JianbaoError, SettingError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m indexer", description="Build and inspect the Jianbao index.")
    sub = p.add_subparsers(required=True, metavar="COMMAND")

    parse = sub.add_parser("parse", help="print the items of files as JSON Lines; nothing is written")
    parse.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parse.set_defaults(run=_parse)

    index_dir = dict(type=Path, default=None, metavar="DIR",
                     help="index folder (default: $JIANBAO_INDEX_DIR or index_data/)")
    b = sub.add_parser("build", help="build a new index of the sources and switch to it")
    b.add_argument("sources", nargs="*", type=Path, metavar="SOURCE",
                   help="files or folders (default: $JIANBAO_CORPUS_DIR or corpus/)")
    b.add_argument("--index-dir", **index_dir)
    b.add_argument("--backend", metavar="URL", help=BACKEND_HELP)
    b.set_defaults(run=_build)

    u = sub.add_parser("update", help="add new or changed items to the index, replacing by id")
    u.add_argument("sources", nargs="+", type=Path, metavar="SOURCE")
    u.add_argument("--allow-removals", action="store_true",
                   help="accept that re-read files hold fewer items than were indexed from them")
    u.add_argument("--index-dir", **index_dir)
    u.add_argument("--backend", metavar="URL", help=BACKEND_HELP)
    u.set_defaults(run=_update)

    s = sub.add_parser("stats", help="items, issues, facet counts and size of the index")
    s.add_argument("--index-dir", **index_dir)
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(run=_stats)

    c = sub.add_parser("clear-cache", help="delete the converted texts of document files, and the conversion "
                                           "failures remembered for them, kept beside the index")
    c.add_argument("--index-dir", **index_dir)
    c.set_defaults(run=_clear_cache)
    add_commands(sub)
    return p


def _parse(args: argparse.Namespace) -> int:
    """Every item of every file as read, one file after another (repeats across files are not merged);
    ``source`` names each file by its path from the current folder (absolute when outside it)."""
    report = Report()
    count = 0
    for _path, items in read_files(args.files, report, root=Path.cwd()):
        for item in items:
            sys.stdout.write(json.dumps(item.to_dict(), ensure_ascii=False) + "\n")
            count += 1
    print(f"{count} items from {report.files_read} files; {report.files_skipped} files skipped",
          file=sys.stderr)
    return 0 if count else 1


def _build(args: argparse.Namespace) -> int:
    settings: Settings = args.settings
    backend = backend_for(settings, args.backend, args.index_dir)
    summary = backend.build(args.sources or [settings.corpus_dir], Report(), Progress())
    print(summary.line("built"), file=sys.stderr)
    return 0


def _update(args: argparse.Namespace) -> int:
    backend = backend_for(args.settings, args.backend, args.index_dir)
    summary = backend.update(args.sources, Report(), args.allow_removals, Progress())
    print(summary.line("updated"), file=sys.stderr)
    return 0


def _stats(args: argparse.Namespace) -> int:
    data = backend_for(args.settings, index_dir=args.index_dir).stats()
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        print(stats_text(data))
    return 0


def _clear_cache(args: argparse.Namespace) -> int:
    cache = cache_for(args.index_dir)
    size = cache.size() if cache.folder.is_dir() else 0
    cache.clear()
    print(f"conversion cache {cache.folder} cleared ({size / 2**20:.1f} MB)", file=sys.stderr)
    return 0
