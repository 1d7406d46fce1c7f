"""The directory's tables, aligned with Open Referral HSDS 3.0 (table and field names follow it).

HSDS tables used: organization, service, location, service_at_location, phone, schedule,
service_area, language, taxonomy, taxonomy_term and attribute (the link between a service and
a taxonomy term: VAWG strand, need, audience, referral route, scope). Project extensions on
`service` are the columns HSDS has no place for: scope (ranking tier), referral_route, gender,
open_24_7, contact_verified, verification_source, notes and the optimistic-lock `version`.

Ids: organization and service ids are stable slugs (e.g. "national-domestic-abuse-helpline"),
used by the bot, the seeds and the pathways. Child rows (phone, schedule, ...) have UUIDs
derived from their parent id and position (`child_id`), so the HSDS export is stable.

Privacy: a refuge's address is confidential. A location marked `confidential` can hold no
address (database CHECK), and a refuge service is given service areas, never a location
with an address.

Every write to these tables bumps `directory_state.data_version` through database triggers
(migration 0001_directory), so any process (the bot, the Flask editor, a CLI import) can tell
cheaply that its in-memory index is stale.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()

# Namespace for the UUIDs the directory derives from its slugs (HSDS ids must be UUIDs).
ID_NAMESPACE = uuid.UUID("6f1c1b0e-5a53-4b1e-9d8e-2f5d6c0a7e11")

SCOPES = ("local", "pan-london", "national", "emergency")
STATUSES = ("active", "temporarily-closed", "defunct")
REFERRAL_ROUTES = ("self", "professional", "both")
GENDERS = ("any", "women", "men")


def derived_id(*parts: object) -> str:
    """A stable UUID for a row named by its parent and position, e.g. ("svc", "phone", 0)."""
    return str(uuid.uuid5(ID_NAMESPACE, "/".join(str(p) for p in parts)))


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class DirectoryState(Base):
    """One row. `data_version` is bumped by triggers on every write to a directory table."""

    __tablename__ = "directory_state"
    id = Column(Integer, primary_key=True)
    data_version = Column(Integer, nullable=False, default=0)


class Taxonomy(Base):
    __tablename__ = "taxonomy"
    id = Column(String, primary_key=True)  # "strand", "need", "audience", ...
    name = Column(String, nullable=False)
    description = Column(Text, nullable=False, default="")
    terms = relationship("TaxonomyTerm", back_populates="taxonomy", order_by="TaxonomyTerm.id")


class TaxonomyTerm(Base):
    __tablename__ = "taxonomy_term"
    __table_args__ = (UniqueConstraint("taxonomy_id", "code"),)
    id = Column(String, primary_key=True)  # derived_id("term", taxonomy, code)
    taxonomy_id = Column(ForeignKey("taxonomy.id"), nullable=False)
    code = Column(String, nullable=False)  # the canonical id, e.g. "domestic-abuse"
    name = Column(String, nullable=False)
    description = Column(Text, nullable=False, default="")
    parent_id = Column(ForeignKey("taxonomy_term.id"))
    taxonomy = relationship("Taxonomy", back_populates="terms")


class Organization(Base):
    __tablename__ = "organization"
    id = Column(String, primary_key=True)
    name = Column(String, nullable=False)
    description = Column(Text, nullable=False, default="")
    website = Column(String)
    email = Column(String)
    services = relationship("Service", back_populates="organization")


class Service(Base):
    __tablename__ = "service"
    __table_args__ = (
        CheckConstraint(f"scope IN {SCOPES}", name="service_scope"),
        CheckConstraint(f"status IN {STATUSES}", name="service_status"),
        CheckConstraint(f"referral_route IN {REFERRAL_ROUTES}", name="service_referral_route"),
        CheckConstraint(f"gender IN {GENDERS}", name="service_gender"),
    )
    id = Column(String, primary_key=True)
    organization_id = Column(ForeignKey("organization.id"), nullable=False, index=True)
    name = Column(String, nullable=False)
    description = Column(Text, nullable=False, default="")
    url = Column(String)  # only a URL services.md gives
    email = Column(String)
    status = Column(String, nullable=False, default="active")
    # "local" (its service areas), "pan-london", "national" or "emergency": the ranking tier.
    scope = Column(String, nullable=False)
    referral_route = Column(String, nullable=False, default="self")
    application_process = Column(Text)  # how to get help, in words (HSDS)
    fees_description = Column(Text)  # cost (HSDS)
    eligibility_description = Column(Text)  # who it is for, in words (HSDS)
    minimum_age = Column(Integer)
    maximum_age = Column(Integer)
    gender = Column(String, nullable=False, default="any")
    hours = Column(String)  # opening hours in words; schedules hold the machine-readable part
    open_24_7 = Column(Boolean, nullable=False, default=False)
    contact_verified = Column(Boolean, nullable=False, default=False)
    last_verified = Column(Date)
    verification_source = Column(Text)
    notes = Column(Text)  # e.g. why a contact detail is missing and where to route instead
    accessibility = Column(Text)  # interpreters, BSL, step-free access, as published
    # HSDS service.interpretation_services: what the service's own pages say about interpreters
    # (free text, as published; the languages it works in directly are `languages`).
    interpretation_services = Column(Text)
    # Provenance: the public page (or, failing one, the named document) the details were taken
    # from, the date it was read, and verbatim lines of it giving each published contact.
    # Sourced is not verified: `contact_verified` stays a maintainer's confirmation.
    source_url = Column(String)
    source_document = Column(Text)
    source_checked = Column(Date)
    source_evidence = Column(Text)  # one quoted line per line
    version = Column(Integer, nullable=False, default=1)  # optimistic locking for the editor
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow)

    organization = relationship("Organization", back_populates="services")
    phones = relationship(
        "Phone", cascade="all, delete-orphan", order_by="Phone.position", back_populates="service"
    )
    schedules = relationship("Schedule", cascade="all, delete-orphan", order_by="Schedule.position")
    areas = relationship(
        "ServiceArea", cascade="all, delete-orphan", order_by="ServiceArea.borough"
    )
    languages = relationship("Language", cascade="all, delete-orphan", order_by="Language.code")
    attributes = relationship("Attribute", cascade="all, delete-orphan")
    service_at_locations = relationship(
        "ServiceAtLocation", cascade="all, delete-orphan", order_by="ServiceAtLocation.position"
    )

    @property
    def self_referral(self) -> bool:
        return self.referral_route in ("self", "both")

    def terms(self, taxonomy: str) -> list[str]:
        return sorted(a.term.code for a in self.attributes if a.term.taxonomy_id == taxonomy)


class Location(Base):
    __tablename__ = "location"
    __table_args__ = (
        CheckConstraint(
            "NOT confidential OR (address_1 IS NULL AND postal_code IS NULL)",
            name="location_confidential_has_no_address",
        ),
    )
    id = Column(String, primary_key=True)
    organization_id = Column(ForeignKey("organization.id"))
    location_type = Column(String, nullable=False, default="physical")
    name = Column(String, nullable=False)
    description = Column(Text)
    borough = Column(String)  # canonical place id
    confidential = Column(Boolean, nullable=False, default=False)
    address_1 = Column(String)
    city = Column(String)
    postal_code = Column(String)


class ServiceAtLocation(Base):
    __tablename__ = "service_at_location"
    id = Column(String, primary_key=True)
    service_id = Column(ForeignKey("service.id", ondelete="CASCADE"), nullable=False, index=True)
    location_id = Column(ForeignKey("location.id"), nullable=False)
    position = Column(Integer, nullable=False, default=0)
    description = Column(Text)
    location = relationship("Location", cascade="all, delete-orphan", single_parent=True)


class Phone(Base):
    __tablename__ = "phone"
    id = Column(String, primary_key=True)
    service_id = Column(ForeignKey("service.id", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False, default=0)
    number = Column(String, nullable=False)
    type = Column(String, nullable=False, default="voice")  # HSDS: voice, text, ...
    description = Column(String)
    service = relationship("Service", back_populates="phones")


class Schedule(Base):
    """Opening hours (HSDS schedule, weekly): `byday` e.g. "MO,TU,WE", times "HH:MM"."""

    __tablename__ = "schedule"
    id = Column(String, primary_key=True)
    service_id = Column(ForeignKey("service.id", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False, default=0)
    freq = Column(String, nullable=False, default="WEEKLY")
    byday = Column(String, nullable=False)
    opens_at = Column(String, nullable=False)
    closes_at = Column(String, nullable=False)
    description = Column(Text)


class ServiceArea(Base):
    __tablename__ = "service_area"
    __table_args__ = (UniqueConstraint("service_id", "borough"),)
    id = Column(String, primary_key=True)
    service_id = Column(ForeignKey("service.id", ondelete="CASCADE"), nullable=False, index=True)
    borough = Column(String, nullable=False, index=True)  # canonical place id
    name = Column(String, nullable=False)  # its label


class Language(Base):
    __tablename__ = "language"
    __table_args__ = (UniqueConstraint("service_id", "code"),)
    id = Column(String, primary_key=True)
    service_id = Column(ForeignKey("service.id", ondelete="CASCADE"), nullable=False, index=True)
    code = Column(String, nullable=False)  # ISO 639-1, e.g. "ar"
    name = Column(String, nullable=False)


class Attribute(Base):
    """A service tagged with a taxonomy term (HSDS `attribute`, link_entity "service")."""

    __tablename__ = "attribute"
    __table_args__ = (UniqueConstraint("link_id", "taxonomy_term_id"),)
    id = Column(String, primary_key=True)
    link_id = Column(ForeignKey("service.id", ondelete="CASCADE"), nullable=False, index=True)
    link_entity = Column(String, nullable=False, default="service")
    taxonomy_term_id = Column(ForeignKey("taxonomy_term.id"), nullable=False, index=True)
    value = Column(String)
    term = relationship("TaxonomyTerm", lazy="joined")


# Tables whose writes bump directory_state.data_version (see the migration's triggers).
WATCHED_TABLES = (
    "organization",
    "service",
    "location",
    "service_at_location",
    "phone",
    "schedule",
    "service_area",
    "language",
    "attribute",
    "taxonomy",
    "taxonomy_term",
)
