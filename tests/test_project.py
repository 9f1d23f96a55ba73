"""The project's own promises: its documents match the code (settings, folders), the two set-up commands, the
import rules of ARCHITECTURE.md."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from indexer.settings import settings_table
from tests.conftest import ROOT


def test_the_settings_table_is_generated_from_the_settings():
    assert settings_table() in (ROOT / "docs" / "settings.md").read_text(encoding="utf-8"), \
        "run `python -m indexer.settings` and put its table in docs/settings.md"


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run " in readme and "make test " in readme
    assert "exec make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _imports(path) -> set[str]:
    """The project modules a file imports when it is loaded (module-level absolute imports), and Flask."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {m for m in found if m.split(".")[0] in PACKAGES or m.split(".")[0] in ("flask", "werkzeug")}


PACKAGES = ("indexer", "search", "cluster", "backends", "webapp", "bench")


def _modules() -> dict[str, set[str]]:
    """Each project module's name and the project modules it imports."""
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            out[name] = _imports(path)
    return out


def _under(module: str, *prefixes: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


# Who may import whom (module-level imports): the rooms of ARCHITECTURE.md.
LOCAL_ENGINE = ("search.local", "indexer.index", "indexer.build", "indexer.upload_jobs", "whoosh")
BACKEND_MODULES = ("backends.local", "backends.cluster", "cluster")
WEBAPP_MAY_IMPORT = ("backends", "indexer.settings", "indexer.items", "indexer.errors", "indexer.uploads",
                     "indexer.atomic", "indexer.processes", "search", "webapp", "flask", "werkzeug")


def test_each_room_imports_only_what_it_may():
    for name, imports in _modules().items():
        if _under(name, "indexer") and name != "indexer.cli":  # the command line is an edge: it looks the backend up
            assert not {m for m in imports if _under(m, "search", "cluster", "backends", "webapp", "flask")}, name
        if _under(name, "search") and not _under(name, "search.local"):  # the contract and the shared words
            assert not {m for m in imports if _under(m, *LOCAL_ENGINE, *BACKEND_MODULES, "backends", "webapp",
                                                        "flask")}, name
        if _under(name, "search.local"):
            assert not {m for m in imports if _under(m, *BACKEND_MODULES, "backends", "webapp", "flask")}, name
        if _under(name, "cluster"):
            assert not {m for m in imports if _under(m, *LOCAL_ENGINE, "backends", "webapp", "flask")}, name
        if _under(name, "webapp"):
            assert not {m for m in imports if not _under(m, *WEBAPP_MAY_IMPORT) or _under(m, "search.local")}, name
        if name == "backends":
            assert not {m for m in imports if _under(m, *BACKEND_MODULES, *LOCAL_ENGINE)}, name


def test_the_cluster_path_never_loads_the_local_engine_or_whoosh():
    code = ("import sys, backends.cluster, cluster.searcher, cluster.write, cluster.cli; "
            "print(' '.join(sorted(sys.modules)))")
    loaded = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert not [m for m in loaded.stdout.split() if _under(m, *LOCAL_ENGINE, "flask")]


def test_bench_uses_no_private_name_of_another_module():
    for name, imports in _modules().items():
        if name.startswith("bench."):
            private = {m for m in imports if m.rsplit(".", 1)[-1].startswith("_") and not m.startswith("bench.")}
            assert not private, name


def test_no_import_cycles():
    modules = _modules()
    graph = {name: {m for m in imports if m in modules and m != name} for name, imports in modules.items()}
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for dep in sorted(graph[name]):
            if state.get(dep) == 1:
                raise AssertionError("import cycle: " + " -> ".join(trail[trail.index(dep):] + [dep]))
            if dep not in state:
                visit(dep, trail + [dep])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


def test_architecture_names_every_folder():
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    folders = {str(Path(f).parent) for f in listed} - {"."}
    missing = sorted(f for f in folders if f"`{f}/`" not in text)
    assert not missing, f"ARCHITECTURE.md does not name {missing}"
