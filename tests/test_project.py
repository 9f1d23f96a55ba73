"""The project's own promises: the README documents every setting and the two set-up commands."""

from __future__ import annotations

from indexer.settings import SETTINGS
from tests.conftest import ROOT


def test_readme_documents_every_setting():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"`{setting.name}`" in readme, setting.name


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run " in readme and "make test " in readme
    assert "exec make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
