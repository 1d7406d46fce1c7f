"""Write a service dict back onto a new or existing `Service` with all its children:
`service_from_dict(session, data)` (the caller commits; validate first).
"""

from __future__ import annotations

from datetime import date

from directory.models import (
    Attribute,
    Language,
    Location,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
    derived_id,
    utcnow,
)
from directory.places import borough_label
from directory.serialize.fields import (
    DATE_FIELDS,
    LOCATION_FIELDS,
    PHONE_FIELDS,
    SCALAR_FIELDS,
    SCHEDULE_FIELDS,
    SET_TAXONOMY,
    normalise_service_dict,
    service_to_dict,
)
from directory.taxonomy import term_id, vocabulary


def _sync_list(rows: list, wanted: list[dict], make, fields) -> None:
    """Update child rows in place by position; add or drop the difference."""
    for i, values in enumerate(wanted):
        if i < len(rows):
            for f in fields:
                setattr(rows[i], f, values[f])
            rows[i].position = i
        else:
            rows.append(make(i, values))
    del rows[len(wanted) :]


def _sync_keyed(rows: list, wanted: dict[str, dict], key: str, make) -> None:
    """Keep rows whose key is still wanted (updating their values), add the rest."""
    for row in list(rows):
        if getattr(row, key) not in wanted:
            rows.remove(row)
    have = {getattr(row, key): row for row in rows}
    for k, values in wanted.items():
        if k in have:
            for f, v in values.items():
                setattr(have[k], f, v)
        else:
            rows.append(make(k, values))


def service_from_dict(session, data: dict, service: Service | None = None) -> Service:
    """Write a validated, normalised dict onto `service` (or a new one added to the session).
    Bumps `version` and `updated_at` when anything changed. The caller commits."""
    data = normalise_service_dict(data)
    sid = data["id"]
    if service is None:
        service = Service(id=sid, version=0)
        session.add(service)
        before = None
    else:
        before = service_to_dict(service)
    if before == data:
        return service
    for f in SCALAR_FIELDS:
        value = data[f]
        if f in DATE_FIELDS and value:
            value = date.fromisoformat(value)
        setattr(service, f, value)
    _sync_list(
        service.phones,
        data["phones"],
        lambda i, v: Phone(id=derived_id(sid, "phone", i), position=i, **v),
        PHONE_FIELDS,
    )
    _sync_list(
        service.schedules,
        data["schedules"],
        lambda i, v: Schedule(id=derived_id(sid, "schedule", i), position=i, freq="WEEKLY", **v),
        SCHEDULE_FIELDS,
    )
    org_id = data["organization_id"]

    def make_location(i: int, values: dict) -> ServiceAtLocation:
        location = Location(id=derived_id(sid, "location", i), organization_id=org_id, **values)
        return ServiceAtLocation(
            id=derived_id(sid, "service_at_location", i), position=i, location=location
        )

    sals = service.service_at_locations
    for i, values in enumerate(data["locations"]):
        if i < len(sals):
            for f in LOCATION_FIELDS:
                setattr(sals[i].location, f, values[f])
            sals[i].location.organization_id = org_id
        else:
            sals.append(make_location(i, values))
    del sals[len(data["locations"]) :]
    _sync_keyed(
        service.areas,
        {b: {"name": borough_label(b)} for b in data["boroughs"]},
        "borough",
        lambda b, v: ServiceArea(id=derived_id(sid, "service_area", b), borough=b, **v),
    )
    vocab = vocabulary()
    _sync_keyed(
        service.languages,
        {c: {"name": vocab.label("language", c)} for c in data["languages"]},
        "code",
        lambda c, v: Language(id=derived_id(sid, "language", c), code=c, **v),
    )
    wanted_terms = {
        term_id(taxonomy, code): {} for key, taxonomy in SET_TAXONOMY.items() for code in data[key]
    }
    _sync_keyed(
        service.attributes,
        wanted_terms,
        "taxonomy_term_id",
        lambda t, v: Attribute(
            id=derived_id(sid, "attribute", t),
            term=session.get(TaxonomyTerm, t),
            link_entity="service",
        ),
    )
    service.version = (service.version or 0) + 1
    service.updated_at = utcnow()
    return service
