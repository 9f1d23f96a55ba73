"""The Item record: one searchable unit of a bulletin issue, as every stage sees it."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

from indexer.normalize import PART_SEPARATOR


@dataclass
class Item:
    """One item of a bulletin issue, after reading, splitting and enrichment.

    ``title`` may be empty (short ``△`` items have none). ``body`` is the item's
    text as printed, closing attribution included; ``attribution`` is the raw text
    inside the closing ``（…）`` and ``departments`` its canonical unit names.
    ``date_inferred`` is true when the date or year was guessed rather than stated;
    ``reporters`` are names from an attribution such as ``(市应急局:孙洪)``;
    ``duplicates`` are the other sources of the same item; ``access`` is
    ``["public"]`` or the groups that may see the item; ``topic_basis`` says why the
    rules gave its topics (``依据：标题含“收费公路”``), empty when stated or none.
    """

    id: str
    title: str
    body: str
    issue: str
    source: str
    position: int
    issue_key: str = ""
    attribution: str = ""
    departments: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    date: str | None = None
    year: int | None = None
    date_inferred: bool = False
    url: str | None = None
    doc_number: str | None = None
    reporters: list[str] = field(default_factory=list)
    ocr: bool = False
    duplicates: list[str] = field(default_factory=list)
    access: list[str] = field(default_factory=lambda: ["public"])
    topic_basis: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def year_inferred(self) -> bool:
        """The former name of :attr:`date_inferred`."""
        return self.date_inferred

    def to_dict(self) -> dict[str, Any]:
        """The item as a JSON-ready dict with the field names of API.md (``year_inferred`` kept as an alias).

        ``topic_basis`` is left out while empty: the API's Item schema does not list it yet.
        """
        data = asdict(self)
        data["year_inferred"] = self.date_inferred
        if not self.topic_basis:
            del data["topic_basis"]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Item:
        """Rebuild an item from :meth:`to_dict` output (unknown keys are ignored)."""
        names = cls.__dataclass_fields__.keys()
        fields = {k: v for k, v in data.items() if k in names}
        if "date_inferred" not in fields and "year_inferred" in data:
            fields["date_inferred"] = data["year_inferred"]
        return cls(**fields)


def stable_id(*parts: str, length: int = 16) -> str:
    """A short, URL-safe id derived from ``parts`` (same parts, same id)."""
    digest = hashlib.sha1(PART_SEPARATOR.join(parts).encode("utf-8")).hexdigest()
    return digest[:length]
