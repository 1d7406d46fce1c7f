"""The editable entity types, in one explicit registry: publishing and the review screens find
an entity's adapter here, whatever modules the process has imported."""

from __future__ import annotations

from directory.editor.entities import EntityAdapter
from directory.editor.pathways import PATHWAYS
from directory.editor.services import SERVICES

ADAPTERS: dict[str, EntityAdapter] = {
    adapter.entity_type: adapter for adapter in (SERVICES, PATHWAYS)
}


def adapter_for(entity_type: str) -> EntityAdapter:
    return ADAPTERS[entity_type]
