"""The controlled vocabularies (directory/vocabulary/taxonomy.yml) and their database rows."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import select

from directory.models import Taxonomy, TaxonomyTerm, derived_id
from directory.wording import translated

TAXONOMY_FILE = Path(__file__).parent / "vocabulary" / "taxonomy.yml"

# Taxonomies a service is tagged with through `attribute` rows.
TAGGED = ("strand", "need", "audience")
TAXONOMY_NAMES = {
    "strand": ("VAWG strand", "The form of violence against women and girls a service addresses."),
    "need": ("Need", "What kind of help a service gives."),
    "audience": ("Audience", "Who a service is particularly for."),
    "language": ("Language", "Languages a service works in (ISO 639 codes)."),
    "referral_route": ("Referral route", "How a person gets to the service."),
    "scope": ("Scope", "Where a service works: local, pan-London, national or emergency."),
}


@dataclass(frozen=True)
class Vocabulary:
    terms: dict[str, dict[str, str]]  # taxonomy -> code -> label
    age_ranges: dict[str, tuple[int | None, int | None]]

    def label(self, taxonomy: str, code: str) -> str:
        """The term's label, in the language being spoken (directory.wording.speaking)."""
        return translated("labels", f"{taxonomy}.{code}") or self.terms.get(taxonomy, {}).get(
            code, code
        )

    def knows(self, taxonomy: str, code: str) -> bool:
        return code in self.terms.get(taxonomy, {})


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    data = yaml.safe_load(TAXONOMY_FILE.read_text())
    terms = {name: {str(k): str(v) for k, v in data[name].items()} for name in TAXONOMY_NAMES}
    ages = {
        code: (r.get("min"), r.get("max"))
        for code, r in (data.get("audience_age_ranges") or {}).items()
    }
    return Vocabulary(terms=terms, age_ranges=ages)


@lru_cache(maxsize=1024)
def term_id(taxonomy: str, code: str) -> str:
    # Cached: exports and the read API ask for the same few terms' ids for every service.
    return derived_id("taxonomy_term", taxonomy, code)


def sync_taxonomies(session) -> int:
    """Make the taxonomy tables match taxonomy.yml (adds and relabels; never deletes a term a
    service may still use). Returns the number of rows added or changed."""
    vocab = vocabulary()
    existing = {t.id: t for t in session.execute(select(TaxonomyTerm)).scalars()}
    taxonomies = {t.id: t for t in session.execute(select(Taxonomy)).scalars()}
    changed = 0
    for name, (title, description) in TAXONOMY_NAMES.items():
        taxonomy = taxonomies.get(name)
        if taxonomy is None:
            session.add(Taxonomy(id=name, name=title, description=description))
            changed += 1
        elif (taxonomy.name, taxonomy.description) != (title, description):
            taxonomy.name, taxonomy.description = title, description
            changed += 1
        for code, label in vocab.terms[name].items():
            row = existing.get(term_id(name, code))
            if row is None:
                session.add(
                    TaxonomyTerm(
                        id=term_id(name, code),
                        taxonomy_id=name,
                        code=code,
                        name=label,
                        description=label,
                    )
                )
                changed += 1
            elif row.name != label:
                row.name = row.description = label
                changed += 1
    session.flush()
    return changed
