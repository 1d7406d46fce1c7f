"""One plain-dict form of a service, used by seeding, import, export and the editor's diffs.

`service_to_dict(service)` gives a JSON-ready dict of everything a maintainer owns (not the
bookkeeping: version, created_at, updated_at). `service_from_dict(session, data)` writes such
a dict back onto a new or existing `Service` with all its children (caller commits).
`validate_service(data)` lists field errors (`FieldError(field, message)`); always call it
before `service_from_dict`. Sets (boroughs, strands, ...) are sorted, so two dicts compare
equal exactly when the services are the same (directory.diffs gives field-level changes).

Dict keys (all present; optional ones may be None or empty):
  id, organization_id, name, description, url, email, status, scope, referral_route,
  application_process, fees_description, eligibility_description, minimum_age, maximum_age,
  gender, hours, open_24_7, contact_verified, last_verified ("YYYY-MM-DD"),
  verification_source, notes, accessibility, interpretation_services,
  source_url, source_document, source_checked ("YYYY-MM-DD"), source_evidence (quoted lines,
  one per line; a list in YAML),
  phones: [{number, type, description}], schedules: [{byday, opens_at, closes_at, description}],
  boroughs, strands, needs, audiences, languages: [codes],
  locations: [{name, description, borough, confidential, location_type, address_1, city,
  postal_code}]

The package's modules, one job each: `fields` (the fields and the dict read from a row or a
file), `checks` (field errors), `writing` (the dict written back onto the rows). The patterns
for single values (ids, days, times, addresses, phones) are in directory.rules.
"""

from directory.rules import DAYS, PHONE_TYPES, valid_uk_phone
from directory.serialize.checks import FieldError, validate_organization, validate_service
from directory.serialize.fields import (
    DATE_FIELDS,
    LIST_FIELDS,
    LOCATION_FIELDS,
    ORGANIZATION_FIELDS,
    PHONE_FIELDS,
    SCALAR_FIELDS,
    SCHEDULE_FIELDS,
    SERVICE_CHILDREN,
    SET_FIELDS,
    SET_TAXONOMY,
    normalise_service_dict,
    organization_to_dict,
    service_to_dict,
)
from directory.serialize.writing import service_from_dict
from directory.taxonomy import TAGGED

__all__ = [
    "DATE_FIELDS",
    "DAYS",
    "LIST_FIELDS",
    "LOCATION_FIELDS",
    "ORGANIZATION_FIELDS",
    "PHONE_FIELDS",
    "PHONE_TYPES",
    "SCALAR_FIELDS",
    "SCHEDULE_FIELDS",
    "SERVICE_CHILDREN",
    "SET_FIELDS",
    "SET_TAXONOMY",
    "TAGGED",
    "FieldError",
    "normalise_service_dict",
    "organization_to_dict",
    "service_from_dict",
    "service_to_dict",
    "valid_uk_phone",
    "validate_organization",
    "validate_service",
]
