"""Shared test resources: real, tiny corpora and indexes, built once per session.

* the seed bulletins of ``corpus/`` and an index of them;
* a 2,000-item slice of ``../shared/corpora/xwlb.jsonl.gz`` (spread over all years) and its index;
* an index of every archive of ``../shared/corpora`` (the xwlb corpus as that slice);
* helpers to build an index of hand-made records.
"""

from __future__ import annotations

import ast
import gzip
import inspect
import json
import os
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from indexer.build import build
from indexer.errors import Report
from indexer.ingest.files import read_items
from indexer.items import Item
from search import Searcher, SearchQuery, SearchResult
from search.local.searcher import LocalSearcher
from webapp import create_app

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SHARED = Path(os.environ.get("JIANBAO_TEST_SHARED", ROOT.parent / "shared"))  # moved aside to check test-quick
XWLB = SHARED / "corpora" / "xwlb.jsonl.gz"
EVAL = SHARED / "eval" / "xwlb_public.json"
ARTIFACTS = ROOT / "test-artifacts"
SLICE_SIZE = 2000
GOV_PAGES = SHARED / "corpora" / "realworld" / "web_html"  # 60 gov.cn pages of 国务院 and 国务院办公厅 documents
GOV_108 = SHARED / "corpora" / "topics" / "gccmpd_govprc_108.jsonl.gz"  # 108 gov.cn documents as records
# A record of the notice 国办发〔2018〕117号 (govcn_content_5347465) says 停止执行: its 文号 and title as that page
# names them, its date and opening as a 通知 of the time would have them.
REPEALED_RECORD = {"id": "guobanfa-2016-82", "doc_number": "国办发〔2016〕82号", "date": "2016-11-22",
                   "department": "国务院办公厅",
                   "title": "国务院办公厅关于对真抓实干成效明显地方加大激励支持力度的通知",
                   "body": "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：\n"
                           "经国务院同意，现就对真抓实干成效明显地方加大激励支持力度有关事项通知如下。\n"
                           "国务院办公厅\n2016年11月22日"}
# Every archive of ../shared/corpora but the large xwlb corpus (which comes in as its 2,000-record slice).
REAL_ARCHIVES = tuple(SHARED / "corpora" / name for name in ("realworld", "realworld2", "realworld3", "realworld4",
                                                              "ofd", "topics"))


# A test is marked `shared` when its code, a fixture it uses, or a module-level name either of them uses
# (a constant, a helper) names the shared data.
SHARED_NAMES = ("xwlb_records", "xwlb_slice", "XWLB", "SHARED", "EVAL", "GOV_PAGES", "GOV_108")


def _shared_names(module: ModuleType) -> set[str]:
    """The names that lead to ../shared in a test module: SHARED_NAMES and, repeatedly, its top-level names
    (constants, helpers, fixtures) whose code uses one of them."""
    found = set(SHARED_NAMES)
    tree = ast.parse(inspect.getsource(module))
    tops = {}
    for node in tree.body:
        targets = [node.name] if isinstance(node, ast.FunctionDef | ast.ClassDef) else [
            t.id for t in getattr(node, "targets", [getattr(node, "target", None)]) if isinstance(t, ast.Name)]
        for target in targets:
            tops[target] = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | {
                n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
    while True:
        more = {name for name, uses in tops.items() if name not in found and uses & found}
        if not more:
            return found
        found |= more


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that reads ../shared, so `make test-quick` can leave them out."""
    names_of: dict[str, set[str]] = {}
    for item in items:
        module = getattr(item, "module", None)
        if module is None:
            continue
        names = names_of.setdefault(module.__name__, _shared_names(module))
        functions = [getattr(item, "function", None)]
        info = getattr(item, "_fixtureinfo", None)
        for defs in (info.name2fixturedefs.values() if info else ()):
            functions.extend(d.func for d in defs if d.baseid != "")  # the project's fixtures, not pytest's
        used = {n.id for f in functions if f is not None
                for n in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(f)))) if isinstance(n, ast.Name)}
        if used & names or any(name in names_of.setdefault(f.__module__, _shared_names(sys.modules[f.__module__]))
                               for f in functions if f is not None for name in (f.__name__,)):
            item.add_marker(pytest.mark.shared)


def xwlb_records(limit: int | None = None, stride: int = 1) -> list[dict]:
    """Records of the shared xwlb corpus (every ``stride``-th, at most ``limit``)."""
    if not XWLB.exists():
        pytest.fail(f"{XWLB} is missing: the tests need ../shared beside the project")
    out = []
    with gzip.open(XWLB, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f):
            if n % stride == 0:
                out.append(json.loads(line))
                if limit and len(out) >= limit:
                    break
    return out


def write_jsonl(path: Path, records: list[dict]) -> Path:
    """Write records as a JSON Lines file."""
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def build_index(sources: list[Path], index_dir: Path) -> Path:
    """Build an index of the sources (in this process) and return its folder."""
    build(sources, index_dir, Report(stream=None), workers=1)
    return index_dir


def open_index(index_dir: Path) -> Searcher:
    """The product's Searcher over an index, with a budget no test machine reaches."""
    return LocalSearcher(index_dir, budget_ms=60_000)


def run(searcher: Searcher, **query) -> SearchResult:
    """Search with the parameters of a SearchQuery."""
    return searcher.search(SearchQuery(**query))


def ids(searcher: Searcher, q: str, **query) -> set[str]:
    """Ids of every item the query finds."""
    result = run(searcher, q=q, size=100, **query)
    assert result.total <= 100, "use a narrower query in tests"
    return {h.id for h in result.hits}


@pytest.fixture(scope="session")
def seed_items() -> list[Item]:
    return list(read_items([CORPUS], Report(stream=None)))


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory) -> Path:
    return build_index([CORPUS], tmp_path_factory.mktemp("seed-index"))


@pytest.fixture(scope="session")
def seed_searcher(seed_index) -> Searcher:
    return open_index(seed_index)


@pytest.fixture(scope="session")
def xwlb_slice(tmp_path_factory) -> Path:
    """A JSON Lines file of 2,000 xwlb records spread over 2012–2026."""
    return write_jsonl(tmp_path_factory.mktemp("xwlb") / "slice.jsonl", xwlb_records(SLICE_SIZE, stride=37))


@pytest.fixture(scope="session")
def slice_items(xwlb_slice) -> list[Item]:
    return list(read_items([xwlb_slice], Report(stream=None)))


@pytest.fixture(scope="session")
def slice_searcher(xwlb_slice, tmp_path_factory) -> Searcher:
    return open_index(build_index([xwlb_slice], tmp_path_factory.mktemp("slice-index")))


@pytest.fixture(scope="session")
def precedents_archive(tmp_path_factory) -> Path:
    """An archive of the 60 gov.cn pages and the 108 gov.cn documents (linked, not copied) and REPEALED_RECORD."""
    if not GOV_PAGES.is_dir():
        pytest.fail(f"{GOV_PAGES} is missing: the tests need ../shared beside the project")
    archive = tmp_path_factory.mktemp("precedents")
    (archive / "web_html").mkdir()
    for page in sorted(GOV_PAGES.glob("*.html")):
        (archive / "web_html" / page.name).symlink_to(page)
    (archive / GOV_108.name).symlink_to(GOV_108)
    write_jsonl(archive / "added.jsonl", [REPEALED_RECORD])
    return archive


@pytest.fixture(scope="session")
def precedents_index(precedents_archive, tmp_path_factory) -> Path:
    return build_index([precedents_archive], tmp_path_factory.mktemp("precedents-index"))


@pytest.fixture(scope="session")
def precedents_searcher(precedents_index) -> Searcher:
    searcher = open_index(precedents_index)
    yield searcher
    searcher.close()


@pytest.fixture(scope="session")
def real_index(xwlb_slice, tmp_path_factory) -> Path:
    """An index of every archive of ../shared/corpora: real 公文, documents, bulletins in every format, OFD files
    (an invoice, a poem), records and the xwlb slice (about a minute: documents are converted, scans read)."""
    return build_index([*REAL_ARCHIVES, xwlb_slice], tmp_path_factory.mktemp("real-index"))


@pytest.fixture(scope="session")
def real_searcher(real_index) -> Searcher:
    return open_index(real_index)


@pytest.fixture(scope="session")
def app(seed_index):
    return create_app({"INDEX_DIR": str(seed_index), "CORS_ORIGINS": ["https://portal.example.gov.cn"],
                       "TESTING": True})


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def live_server(seed_index):
    """The app served by waitress on a free loopback port, for browser tests; its public address configured
    (JIANBAO_PUBLIC_URL) as a deployment does, so permalinks and citations are absolute."""
    from tests.serving import free_port, in_thread

    port = free_port()
    with in_thread(create_app({"INDEX_DIR": str(seed_index), "PUBLIC_URL": f"http://127.0.0.1:{port}"}), port):
        yield f"http://127.0.0.1:{port}"
