"""What every backend's build and update share: the summary of a run, and the reading of an update.

An update replaces items by id, and the items of a re-read issue file (a ``.txt``, a page, a document)
all together: :func:`read_update` reads the sources once and says which issues were re-read whole.
An update that would leave out items of such an issue is refused (:func:`removals_refused`) unless the
caller allows removals; both backends apply this the same way, and both keep one item an id as
:class:`OneItemAnId` decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from indexer.errors import JianbaoError, Report
from indexer.ingest.files import is_record_file, read_files
from indexer.ingest.read.documents import DocumentReader
from indexer.items import PUBLIC, Item
from indexer.progress import Progress

LISTED_REMOVALS = 20  # items an update refused for removing items names (then "and N more")


@dataclass
class Summary:
    """What a build or update did, of the local index or of a cluster."""

    items: int
    replaced: int
    files_read: int
    files_skipped: int
    warnings: int
    seconds: float
    target: str  # "index FOLDER" or "cluster URL"

    def line(self, verb: str) -> str:
        """The summary line printed at the end of a run."""
        replaced = f", {self.replaced} replaced" if self.replaced else ""
        return (f"{verb} {self.items} items{replaced} from {self.files_read} files; "
                f"{self.files_skipped} files skipped, {self.warnings} warnings; "
                f"{self.seconds:.1f} s; {self.target}")


@dataclass
class UpdateBatch:
    """The items an update writes, and the issue keys of the files re-read whole (their items replaced together)."""

    items: list[Item] = field(default_factory=list)
    whole_files: set[str] = field(default_factory=set)

    @property
    def ids(self) -> set[str]:
        return {item.id for item in self.items}


def read_update(sources: list[Path], report: Report, root: Path, documents: DocumentReader | None = None,
                progress: Progress | None = None) -> UpdateBatch:
    """Read the sources of an update; JianbaoError when they hold no item."""
    batch = UpdateBatch()
    for path, file_items in read_files(sources, report, root, documents, progress):
        file_items = list(file_items)
        if not is_record_file(path):
            batch.whole_files.update(item.issue_key for item in file_items)
        batch.items.extend(file_items)
    if not batch.items:
        raise JianbaoError(f"no items in {', '.join(map(str, sources))}: nothing to update")
    return batch


def removal_label(item: dict) -> str:
    """An item as a refused removal names it: ``id (title)`` (its body's start when untitled)."""
    return f"{item['id']} ({item['title'] or item['body'][:20]})"


def removals_refused(removed: list[str]) -> JianbaoError:
    """The error refusing an update that would remove items (``id (title)`` each) without --allow-removals."""
    listed = "; ".join(removed[:LISTED_REMOVALS])
    more = f"; and {len(removed) - LISTED_REMOVALS} more" if len(removed) > LISTED_REMOVALS else ""
    return JianbaoError(f"the update would remove {len(removed)} items of issues already indexed "
                        f"({listed}{more}); nothing was changed. If the files are complete, run it "
                        "again with --allow-removals")


def narrower(access: list[str], than: list[str]) -> bool:
    """Whether fewer people may see an item of ``access`` than one of ``than``: administrators only is narrowest,
    then groups (a strict subset of another item's groups is narrower), then public."""
    breadth = {True: 2, False: 1}
    a, b = (breadth[PUBLIC in x] if x else 0 for x in (access, than))
    if a != b:
        return a < b
    return a == 1 and set(access) < set(than)


class OneItemAnId:
    """Decides, item by item in archive order, which of the items sharing an id a run keeps.

    A later line of the same file replaces an earlier one (an export's correction). From another file, the item
    read first is kept, unless the later one may be seen by fewer people: an id never lets an item of wider
    access take the place of a narrower one. Every repeat across files is reported with both paths.
    """

    def __init__(self, report: Report):
        self.report = report
        self._kept: dict[str, tuple[str, tuple[str, ...]]] = {}  # id -> (source, access) of the item kept
        self._pairs: dict[tuple[str, tuple[str, ...]], tuple[str, tuple[str, ...]]] = {}  # one tuple for each pair

    def admit(self, item: Item) -> bool | None:
        """True: a new id, keep the item; None: keep it in place of the earlier item; False: leave it out."""
        earlier = self._kept.get(item.id)
        if earlier is None:
            self._keep(item)
            return True
        source, access = earlier
        if source == item.source:
            self._keep(item)
            return None
        replace = narrower(item.access, list(access))
        kept = item.source if replace else source
        self.report.warn(item.source, f"item id {item.id!r} is also in {source}: the item of {kept} is kept "
                                      "(the first read, unless the other may be seen by fewer people)")
        if replace:
            self._keep(item)
            return None
        return False

    def _keep(self, item: Item) -> None:
        """Remember the item's source and access, as one tuple shared by every item of that pair (a build of
        millions of records holds one entry an id, no more)."""
        pair = (item.source, tuple(item.access))
        self._kept[item.id] = self._pairs.setdefault(pair, pair)
