"""The service edit form: one field for every part of an entry the bot uses.

The form maps to and from the directory's service dict (directory.serialize). Field checks
here give messages beside the field; the directory's own `validate_service` runs as well
(its errors are mapped back onto the fields), so the form never accepts what publishing
would refuse.
"""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from directory.models import GENDERS, REFERRAL_ROUTES, SCOPES
from directory.rules import DAYS, PHONE_TYPES, SLUG, TIME
from directory.serialize import SCALAR_FIELDS
from directory.serialize.checks import INTERPRETATION_MAX
from directory.taxonomy import vocabulary
from directory.web.forms import (
    MultiCheckboxField,
    borough_choices,
    collapse,
    https_url,
    strip,
    term_choices,
    uk_phone,
)

SPARE_ROWS = 2  # blank rows offered for another phone, schedule or location (no JavaScript)
EDITABLE_STATUSES = (("active", "Active"), ("temporarily-closed", "Temporarily closed"))


class PhoneForm(Form):
    number = StringField("Phone number", filters=[collapse], validators=[Optional(), uk_phone])
    type = SelectField("Type", choices=[(t, t) for t in PHONE_TYPES], default="voice")
    description = StringField(
        "What the number is for", filters=[strip], validators=[Optional(), Length(max=200)]
    )

    def is_blank(self) -> bool:
        return not (self.number.data or self.description.data)


class ScheduleForm(Form):
    byday = MultiCheckboxField("Days", choices=[(d, d.title()) for d in DAYS])
    opens_at = StringField(
        "Opens (HH:MM)",
        filters=[strip],
        validators=[Optional(), Regexp(TIME, message="Enter a time like 09:30")],
    )
    closes_at = StringField(
        "Closes (HH:MM)",
        filters=[strip],
        validators=[Optional(), Regexp(TIME, message="Enter a time like 17:00")],
    )
    description = StringField("Note", filters=[strip], validators=[Optional(), Length(max=200)])

    def is_blank(self) -> bool:
        return not (self.byday.data or self.opens_at.data or self.closes_at.data)

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if not self.is_blank():
            for field, message in (
                (self.byday, "Choose at least one day"),
                (self.opens_at, "Enter the opening time"),
                (self.closes_at, "Enter the closing time"),
            ):
                if not field.data:
                    field.errors = [*field.errors, message]
                    ok = False
        return ok


class LocationForm(Form):
    name = StringField("Location name", filters=[strip], validators=[Optional(), Length(max=200)])
    borough = SelectField("Borough", choices=[])
    confidential = BooleanField("The location is confidential (no address is kept)")
    address_1 = StringField(
        "Street address", filters=[strip], validators=[Optional(), Length(max=200)]
    )
    city = StringField("Town or city", filters=[strip], validators=[Optional(), Length(max=100)])
    postal_code = StringField("Postcode", filters=[strip], validators=[Optional(), Length(max=10)])
    description = StringField("Note", filters=[strip], validators=[Optional(), Length(max=300)])

    def is_blank(self) -> bool:
        return not (self.name.data or self.address_1.data or self.postal_code.data)


class ServiceForm(FlaskForm):
    # Optimistic locking: what the form was made from (see directory.editor.changes).
    base_version = HiddenField()
    draft_revision = HiddenField()

    id = StringField(
        "Id",
        filters=[strip],
        validators=[
            DataRequired("Enter an id"),
            Regexp(
                SLUG, message="Use lower-case letters, digits and hyphens, like wgn-counselling"
            ),
            Length(max=100),
        ],
    )
    organization_id = SelectField(
        "Organisation", choices=[], validators=[DataRequired("Choose the organisation")]
    )
    name = StringField(
        "Name",
        filters=[collapse],
        validators=[DataRequired("Enter the service's name"), Length(max=200)],
    )
    description = TextAreaField(
        "Description",
        filters=[strip],
        validators=[DataRequired("Enter a description"), Length(max=2000)],
    )
    status = SelectField("Status", choices=EDITABLE_STATUSES)
    scope = SelectField(
        "Where it works", choices=[(s, vocabulary().label("scope", s)) for s in SCOPES]
    )
    boroughs = MultiCheckboxField("Boroughs it serves", choices=borough_choices(False))
    url = StringField(
        "Website", filters=[strip], validators=[Optional(), https_url, Length(max=500)]
    )
    email = EmailField(
        "Email",
        filters=[strip],
        validators=[
            Optional(),
            # email-validator (WTForms' Email): the address's form only, no DNS look-up.
            Email("Enter an email address, like advice@example.org"),
        ],
    )
    phones = FieldList(FormField(PhoneForm), min_entries=1)
    hours = StringField(
        "Opening hours, in words", filters=[collapse], validators=[Optional(), Length(max=300)]
    )
    open_24_7 = BooleanField("Open 24 hours a day, 7 days a week")
    schedules = FieldList(FormField(ScheduleForm), min_entries=1)
    referral_route = SelectField(
        "How people get to it",
        choices=[(r, vocabulary().label("referral_route", r)) for r in REFERRAL_ROUTES],
    )
    application_process = TextAreaField(
        "How to get help", filters=[strip], validators=[Optional(), Length(max=2000)]
    )
    eligibility_description = TextAreaField(
        "Who it is for", filters=[strip], validators=[Optional(), Length(max=2000)]
    )
    minimum_age = IntegerField(
        "Minimum age",
        validators=[Optional(), NumberRange(0, 120, "Enter an age from 0 to 120")],
    )
    maximum_age = IntegerField(
        "Maximum age",
        validators=[Optional(), NumberRange(0, 120, "Enter an age from 0 to 120")],
    )
    gender = SelectField("Gender", choices=[(g, g) for g in GENDERS])
    fees_description = StringField(
        "Cost", filters=[collapse], validators=[Optional(), Length(max=300)]
    )
    strands = MultiCheckboxField("VAWG strands", choices=term_choices("strand"))
    needs = MultiCheckboxField("Needs it meets", choices=term_choices("need"))
    audiences = MultiCheckboxField(
        "Audiences it is particularly for", choices=term_choices("audience")
    )
    languages = MultiCheckboxField("Languages", choices=term_choices("language"))
    locations = FieldList(FormField(LocationForm), min_entries=1)
    contact_verified = BooleanField("The contact details have been checked with the service")
    verification_source = StringField(
        "How they were checked", filters=[collapse], validators=[Optional(), Length(max=300)]
    )
    notes = TextAreaField(
        "Notes for maintainers", filters=[strip], validators=[Optional(), Length(max=2000)]
    )
    accessibility = TextAreaField(
        "Accessibility", filters=[strip], validators=[Optional(), Length(max=1000)]
    )
    interpretation_services = TextAreaField(
        "Interpreting",
        filters=[collapse],
        validators=[Optional(), Length(max=INTERPRETATION_MAX)],
    )
    source_url = StringField(
        "Source page", filters=[strip], validators=[Optional(), https_url, Length(max=500)]
    )
    source_document = StringField(
        "Source document, if there is no page",
        filters=[collapse],
        validators=[Optional(), Length(max=300)],
    )
    source_checked = StringField(
        "Date the source was read",
        filters=[strip],
        validators=[
            Optional(),
            Regexp(r"^\d{4}-\d{2}-\d{2}$", message="Enter a date like 2026-12-01"),
        ],
    )
    source_evidence = TextAreaField(
        "Lines of the source that give each phone number or email",
        filters=[strip],
        validators=[Optional(), Length(max=4000)],
    )

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organization_id.choices = [("", "Choose an organisation")] + list(organizations)
        for entry in self.locations:
            entry.form.borough.choices = borough_choices(True)

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        low, high = self.minimum_age.data, self.maximum_age.data
        if low is not None and high is not None and low > high:
            self.maximum_age.errors = [
                *self.maximum_age.errors,
                "The maximum age must not be below the minimum age",
            ]
            ok = False
        for entry in self.phones:
            if not entry.form.number.data and entry.form.description.data:
                entry.form.number.errors = [
                    *entry.form.number.errors,
                    "Enter the phone number, or clear the row",
                ]
                ok = False
        for entry in self.locations:
            location = entry.form
            if not location.is_blank() and not location.name.data:
                location.name.errors = [*location.name.errors, "Enter a name for the location"]
                ok = False
            if (location.address_1.data or location.postal_code.data) and (
                location.confidential.data or "refuge" in (self.needs.data or [])
            ):
                location.address_1.errors = [
                    *location.address_1.errors,
                    "A refuge's address is confidential: remove the street address and postcode, "
                    "and give the boroughs it serves instead",
                ]
                ok = False
        return ok

    # --- dict mapping ------------------------------------------------------------------

    @classmethod
    def data_from_payload(cls, payload: dict) -> dict:
        """The form's initial data from a service dict, with spare blank rows."""
        data = {f: payload.get(f) for f in SCALAR_FIELDS}
        for key in ("boroughs", "strands", "needs", "audiences", "languages"):
            data[key] = list(payload.get(key) or [])
        data["phones"] = list(payload.get("phones") or []) + [{} for _ in range(SPARE_ROWS)]
        data["schedules"] = [
            {**row, "byday": (row.get("byday") or "").split(",")}
            for row in payload.get("schedules") or []
        ] + [{} for _ in range(SPARE_ROWS)]
        data["locations"] = list(payload.get("locations") or []) + [{} for _ in range(1)]
        return data

    def to_payload(self, base: dict) -> dict:
        """The proposed service dict: the base with every edited field replaced."""
        payload = dict(base)
        for name in SCALAR_FIELDS:
            if name in ("last_verified",) or not hasattr(self, name):
                continue
            value = getattr(self, name).data
            payload[name] = value if value != "" else None
        payload["description"] = self.description.data or ""
        for key in ("boroughs", "strands", "needs", "audiences", "languages"):
            payload[key] = sorted(set(getattr(self, key).data or []))
        payload["phones"] = [
            {
                "number": e.form.number.data,
                "type": e.form.type.data,
                "description": e.form.description.data or None,
            }
            for e in self.phones
            if not e.form.is_blank()
        ]
        payload["schedules"] = [
            {
                "byday": ",".join(d for d in DAYS if d in e.form.byday.data),
                "opens_at": e.form.opens_at.data,
                "closes_at": e.form.closes_at.data,
                "description": e.form.description.data or None,
            }
            for e in self.schedules
            if not e.form.is_blank()
        ]
        locations = []
        for entry in self.locations:
            form = entry.form
            if form.is_blank():
                continue
            previous = next(
                (loc for loc in base.get("locations") or [] if loc.get("name") == form.name.data),
                {},
            )
            locations.append(
                {
                    "name": form.name.data,
                    "description": form.description.data or None,
                    "borough": form.borough.data or None,
                    "confidential": bool(form.confidential.data),
                    "location_type": previous.get("location_type") or "physical",
                    "address_1": form.address_1.data or None,
                    "city": form.city.data or None,
                    "postal_code": form.postal_code.data or None,
                }
            )
        payload["locations"] = locations
        return payload

    def field_for_error(self, path: str):
        """The form field a directory validation error names, e.g. "phones[0].number"."""
        match = re.match(r"^(\w+)\[(\d+)\]\.(\w+)$", path)
        if match:
            rows, index, name = match.group(1), int(match.group(2)), match.group(3)
            if hasattr(self, rows):
                kept = [e for e in getattr(self, rows) if not e.form.is_blank()]
                if index < len(kept) and hasattr(kept[index].form, name):
                    return getattr(kept[index].form, name)
            return None
        return getattr(self, path, None) if path in self._fields else None
