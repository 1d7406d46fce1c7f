"""Pathway tables. Steps, thresholds, forms, contacts and sources are ordered child rows, so a
maintainer edits one step without rewriting the others, and the editor's payload maps one-to-one.

Every legal claim in a pathway rests on a public source (`PathwaySource`: address, title, the
date it was read, and what it supports); `Pathway.reviewed` is the day someone last checked the
whole pathway against them. The editor lists pathways not reviewed in the last 12 months."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from directory.models import Base, utcnow

STATUSES = ("active", "inactive")


class Pathway(Base):
    __tablename__ = "pathway"
    id = Column(String, primary_key=True)  # stable slug, e.g. "domestic-abuse-high-risk"
    title = Column(String, nullable=False)
    situation = Column(Text, nullable=False)  # when this pathway applies, in one or two sentences
    applies_to = Column(Text, nullable=False)  # who: which professionals, which victims
    legal_duty = Column(Text)  # the statutory duty, where one exists
    # Where the rules come from, as text: the rendered `sources` list (store.render_sources), or,
    # for a pathway written before sources were structured, the maintainer's own words.
    source = Column(Text, nullable=False)
    reviewed = Column(Date)  # last checked against its sources; empty = never reviewed
    unsourced = Column(Text)  # claims no public source was found for, one per line
    status = Column(String, nullable=False, default="active")  # STATUSES; inactive = retired
    version = Column(Integer, nullable=False, default=1)  # optimistic locking for the editor
    updated_at = Column(DateTime, nullable=False, default=utcnow)
    steps = relationship(
        "PathwayStep", cascade="all, delete-orphan", order_by="PathwayStep.position"
    )
    thresholds = relationship(
        "PathwayThreshold", cascade="all, delete-orphan", order_by="PathwayThreshold.position"
    )
    forms = relationship(
        "PathwayForm", cascade="all, delete-orphan", order_by="PathwayForm.position"
    )
    contacts = relationship(
        "PathwayContact", cascade="all, delete-orphan", order_by="PathwayContact.position"
    )
    sources = relationship(
        "PathwaySource", cascade="all, delete-orphan", order_by="PathwaySource.position"
    )


class PathwayStep(Base):
    __tablename__ = "pathway_step"
    id = Column(Integer, primary_key=True, autoincrement=True)
    pathway_id = Column(ForeignKey("pathway.id", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    text = Column(Text, nullable=False)


class PathwayThreshold(Base):
    """A test that sends the case down this pathway, e.g. DASH 14+ "yes" answers -> MARAC."""

    __tablename__ = "pathway_threshold"
    id = Column(Integer, primary_key=True, autoincrement=True)
    pathway_id = Column(ForeignKey("pathway.id", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    text = Column(Text, nullable=False)


class PathwayForm(Base):
    __tablename__ = "pathway_form"
    id = Column(Integer, primary_key=True, autoincrement=True)
    pathway_id = Column(ForeignKey("pathway.id", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    name = Column(String, nullable=False)
    note = Column(Text)


class PathwayContact(Base):
    """Who to contact. Either a directory service (`service_id`, resolved at answer time so an
    edit to the service shows here too), or a sourced public number such as police 101, or a
    route with no number (`phone` empty and `note` saying why: never a guessed number)."""

    __tablename__ = "pathway_contact"
    id = Column(Integer, primary_key=True, autoincrement=True)
    pathway_id = Column(ForeignKey("pathway.id", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    label = Column(String, nullable=False)  # e.g. "Westminster MARAC"
    borough = Column(String)  # canonical place id; empty = every borough
    # A soft link: services are retired by status, and the write API checks the id exists.
    service_id = Column(String, index=True)
    phone = Column(String)  # only a sourced public number (services.md), else empty
    route = Column(Text)  # how to reach it when there is no number, e.g. via the safeguarding lead
    note = Column(Text)  # for maintainers: why the number is empty, what to check
    professional_only = Column(Boolean, nullable=False, default=True)


class PathwaySource(Base):
    """A public page a pathway's claims rest on, e.g. GOV.UK's forced marriage guidance."""

    __tablename__ = "pathway_source"
    id = Column(Integer, primary_key=True, autoincrement=True)
    pathway_id = Column(ForeignKey("pathway.id", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    url = Column(Text, nullable=False)  # https only
    title = Column(Text, nullable=False)
    read_on = Column(Date, nullable=False)  # the day a maintainer read the page
    page_date = Column(String)  # the date the page itself shows, e.g. "updated 13 April 2023"
    supports = Column(Text, nullable=False)  # which claims in the pathway it supports
