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
    # The first copy of each organization, by id (readers see one copy per service).
    first_organizations: dict[str, tuple[Origin, dict]] = field(default_factory=dict, repr=False)

    def add_organization(self, origin: Origin, organization: dict, field_name: str) -> None:
        """Keep the first copy of an organization; a later copy that differs is an error."""
        previous = self.first_organizations.get(organization["id"])
        if previous is None:
            self.first_organizations[organization["id"]] = (origin, organization)
            self.organizations.append((origin, organization))
        elif previous[1] != organization:
            self.errors.append(
                ImportIssue(
                    origin,
                    field_name,
                    f"organization {organization['id']!r} differs from {previous[0].describe()}",
                )
            )
