"""The directory's tables, aligned with Open Referral HSDS 3.0 (names follow the standard)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, String, Text
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Organization(Base):
    __tablename__ = "organization"
    id = Column(String, primary_key=True)
    name = Column(String, nullable=False)
    description = Column(Text, nullable=False, default="")
    website = Column(String)
    services = relationship("Service", back_populates="organization")


class Service(Base):
    __tablename__ = "service"
    id = Column(String, primary_key=True)
    organization_id = Column(ForeignKey("organization.id"), nullable=False)
    name = Column(String, nullable=False)
    description = Column(Text, nullable=False, default="")
    url = Column(String)
    status = Column(String, nullable=False, default="active")
    # "local" (named boroughs), "pan-london" or "national": decides the ranking tier.
    scope = Column(String, nullable=False)
    hours = Column(String)
    open_24_7 = Column(Boolean, nullable=False, default=False)
    self_referral = Column(Boolean, nullable=False, default=True)
    organization = relationship("Organization", back_populates="services")
    phones = relationship("Phone", cascade="all, delete-orphan", order_by="Phone.id")
    areas = relationship("ServiceArea", cascade="all, delete-orphan")
    terms = relationship("ServiceTerm", cascade="all, delete-orphan")


class Phone(Base):
    __tablename__ = "phone"
    id = Column(String, primary_key=True)
    service_id = Column(ForeignKey("service.id"), nullable=False)
    number = Column(String, nullable=False)
    description = Column(String)


class ServiceArea(Base):
    __tablename__ = "service_area"
    id = Column(String, primary_key=True)
    service_id = Column(ForeignKey("service.id"), nullable=False)
    borough = Column(String, nullable=False)


class ServiceTerm(Base):
    """A service tagged with a taxonomy term (HSDS `attribute`)."""

    __tablename__ = "attribute"
    id = Column(String, primary_key=True)
    service_id = Column(ForeignKey("service.id"), nullable=False)
    taxonomy = Column(String, nullable=False)
    term = Column(String, nullable=False)
