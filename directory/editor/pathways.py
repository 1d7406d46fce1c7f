"""Referral pathways as editable entities: the adapter that plugs them into the editor's
draft -> review -> publish and audit machinery (directory.editor.changes), like services
(directory.editor.services). Listed in directory.editor.adapters.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.editor.entities import ChangeError, StaleError, claim_version
from directory.pathways.models import Pathway
from directory.pathways.store import (
    ENTITY_TYPE,
    PathwayError,
    pathway_from_dict,
    pathway_to_dict,
    unknown_services,
    write_pathway,
)
from directory.pathways.vocabulary import place_ids


class PathwayAdapter:
    entity_type = ENTITY_TYPE
    noun = "pathway"
    ignored_fields: frozenset[str] = frozenset({"version"})
    retired_status = "inactive"

    def current(self, session: Session, entity_id: str) -> dict | None:
        pathway = session.get(Pathway, entity_id)
        return pathway_to_dict(pathway) if pathway else None

    def version(self, session: Session, entity_id: str) -> int | None:
        return session.execute(
            select(Pathway.version).where(Pathway.id == entity_id)
        ).scalar_one_or_none()

    def validate(self, session: Session, payload: dict) -> dict[str, list[str]]:
        try:
            clean = pathway_from_dict(payload, boroughs=place_ids())
        except PathwayError as error:
            return error.errors
        missing = unknown_services(session, {c["service_id"] for c in clean["contacts"]} - {None})
        return (
            {"contacts": [f"no directory service {s!r}" for s in sorted(missing)]}
            if missing
            else {}
        )

    def apply(self, session: Session, entity_id: str, payload: dict, expected_version) -> None:
        if payload.get("id") != entity_id:
            raise ChangeError("A pathway's id cannot be changed.")
        if expected_version is None:  # a new pathway: nobody may have made it meanwhile
            if self.version(session, entity_id) is not None:
                raise StaleError("This pathway was changed by someone else while publishing.")
        else:  # atomic: the check and the row lock in one conditional UPDATE
            claim_version(session, Pathway, entity_id, expected_version)
        try:
            write_pathway(session, payload)
        except PathwayError as error:
            raise ChangeError(str(error)) from None

    def title(self, payload: dict) -> str:
        return payload.get("title") or payload.get("id") or "(untitled)"


PATHWAYS = PathwayAdapter()
