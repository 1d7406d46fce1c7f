"""What a reader gives back: records with where each came from, and the problems found."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Origin:
    file: str
    row: int | None = None  # CSV: spreadsheet row (header = 1); JSON: record number from 1
    record: str = "row"

    def describe(self, field_name: str | None = None) -> str:
        where = self.file if self.row is None else f"{self.file}: {self.record} {self.row}"
        return f"{where}: field '{field_name}'" if field_name else where


@dataclass(frozen=True)
class ImportIssue:
    origin: Origin
    field: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.origin.describe(self.field)}: {self.message}"


@dataclass
class Records:
    organizations: list[tuple[Origin, dict]] = field(default_factory=list)
    services: list[tuple[Origin, dict]] = field(default_factory=list)
    errors: list[ImportIssue] = field(default_factory=list)
