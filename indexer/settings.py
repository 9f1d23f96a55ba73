"""Settings read from the environment, declared once with their defaults and help.

Every setting is listed in :data:`SETTINGS`; the README documents each one (a test
checks that it does). Command-line options override them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(__file__).resolve().parent / "data"
TAXONOMY_FILE = DATA_DIR / "govcn_topics.json"
USER_DICT_FILE = DATA_DIR / "userdict.txt"
DEPARTMENTS_FILE = DATA_DIR / "departments.tsv"
TOPIC_RULES_FILE = DATA_DIR / "topic_rules.tsv"


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, default and what it does."""

    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("JIANBAO_INDEX_DIR", str(PROJECT_ROOT / "index_data"),
            "where the index lives (indexer and web app)"),
    Setting("JIANBAO_CORPUS_DIR", str(PROJECT_ROOT / "corpus"),
            "the archive `build` reads when no source is named"),
    Setting("JIANBAO_WORKERS", "0",
            "processes a build uses for segmentation; 0 means one per core"),
    Setting("JIANBAO_CORS_ORIGINS", "",
            "space-separated origins allowed to call /api/ from a browser"),
    Setting("JIANBAO_QUERY_BUDGET_MS", "2000",
            "a query that needs longer is stopped with a 400 error"),
    Setting("JIANBAO_THREADS", "8", "worker threads of the web server"),
    Setting("JIANBAO_LOCK_WAIT", "30",
            "seconds `build`/`update` wait for another writer before giving up"),
)


def setting(name: str) -> str:
    """The value of a declared setting: the environment's, else its default."""
    for s in SETTINGS:
        if s.name == name:
            return os.environ.get(name, s.default)
    raise KeyError(f"undeclared setting {name}")


def index_dir() -> Path:
    """The index directory in effect."""
    return Path(setting("JIANBAO_INDEX_DIR"))


def corpus_dir() -> Path:
    """The corpus directory in effect."""
    return Path(setting("JIANBAO_CORPUS_DIR"))
