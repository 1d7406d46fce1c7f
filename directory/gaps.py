"""Gaps in provision: where the three boroughs have no local service, for the commissioners.

    gaps(database_url=None) -> list[Gap]

One row per borough × strand × audience (audience "anyone" included) with the number of active
local services covering that borough that address the strand and are for that audience (a
service for anyone counts for "anyone"; a specialist counts for its own audience), and the
number of London-wide and national ones people there can still use. A row with no local
service is a gap. `python -m directory gaps [--csv]` prints them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from directory.index import current_index
from directory.places import borough_label, partnership_boroughs
from directory.ranking import PROFESSIONALS
from directory.taxonomy import vocabulary

ANYONE = "anyone"


@dataclass(frozen=True)
class Gap:
    borough: str
    strand: str
    audience: str
    local: int  # active local services for this borough, strand and audience
    wider: int  # pan-London and national ones

    @property
    def is_gap(self) -> bool:
        return self.local == 0


def gaps(database_url: str | None = None) -> list[Gap]:
    index = current_index(database_url)
    vocab = vocabulary()
    audiences = [ANYONE] + [a for a in vocab.terms["audience"] if a != PROFESSIONALS]
    entries = [e for e in index.entries if e.tier in (0, 1, 2)]
    entries = [e for e in entries if PROFESSIONALS not in e.audiences]

    def serves(entry, audience: str) -> bool:
        if audience == ANYONE:
            return not (entry.audiences - {"women"})  # a service for anyone (or any woman)
        return audience in entry.audiences

    rows = []
    for borough in partnership_boroughs():
        for strand in vocab.terms["strand"]:
            for audience in audiences:
                fitting = [e for e in entries if strand in e.strands and serves(e, audience)]
                local = sum(1 for e in fitting if e.tier == 0 and borough in e.boroughs)
                rows.append(Gap(borough, strand, audience, local, len(fitting) - local))
    return rows


def gaps_text(rows: list[Gap]) -> str:
    vocab = vocabulary()
    found = [r for r in rows if r.is_gap]
    lines = [
        f"{len(found)} of {len(rows)} borough × strand × audience combinations have no local "
        "service."
    ]
    for row in found:
        who = "anyone" if row.audience == ANYONE else vocab.label("audience", row.audience)
        lines.append(
            f"{borough_label(row.borough)}: {vocab.label('strand', row.strand)}, for {who}: "
            f"no local service ({row.wider} London-wide or national)"
        )
    return "\n".join(lines) + "\n"


def gaps_csv(rows: list[Gap]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["borough", "strand", "audience", "local_services", "wider_services", "gap"])
    for r in rows:
        writer.writerow(
            [r.borough, r.strand, r.audience, r.local, r.wider, "yes" if r.is_gap else "no"]
        )
    return out.getvalue()
