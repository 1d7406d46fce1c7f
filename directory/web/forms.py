"""The editor's small forms (sign-in, search, the one-button decisions) and the field helpers
the service edit form (directory.web.service_form) is built from. The pathway form is in
directory.web.pathways.
"""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from directory.editor.accounts import MAX_EMAIL_LENGTH, MAX_PASSWORD_LENGTH
from directory.places import partnership_boroughs, places
from directory.rules import WEB_ADDRESS, valid_uk_phone
from directory.taxonomy import vocabulary


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes; only listed choices are accepted (terms come from the taxonomies)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def uk_phone(form, field):
    if field.data and not valid_uk_phone(field.data):
        raise ValidationError(
            "Enter a UK phone number, like 0808 2000 247 or 020 7946 0123 (or a short code "
            "like 116 123)"
        )


def https_url(form, field):
    if not field.data:
        return
    if not WEB_ADDRESS.match(field.data):
        raise ValidationError(
            "Enter a secure web address starting https://, like https://example.org"
        )


def strip(value):
    return value.strip() if isinstance(value, str) else value


def collapse(value):
    return re.sub(r"\s+", " ", value).strip() if isinstance(value, str) else value


def borough_choices(include_blank: bool) -> list[tuple[str, str]]:
    labels = places().labels
    ours = [(b, labels[b]) for b in partnership_boroughs()]
    others = sorted(
        ((b, label) for b, label in labels.items() if b not in dict(ours)), key=lambda c: c[1]
    )
    return ([("", "Not given")] if include_blank else []) + ours + others


def term_choices(taxonomy: str) -> list[tuple[str, str]]:
    return list(vocabulary().terms[taxonomy].items())


class LoginForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter your email address"),
            Length(
                max=MAX_EMAIL_LENGTH,
                message=f"An email address is at most {MAX_EMAIL_LENGTH} characters long",
            ),
        ],
    )
    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Enter your password"),
            Length(
                max=MAX_PASSWORD_LENGTH,
                message=f"A password is at most {MAX_PASSWORD_LENGTH:,} characters long",
            ),
        ],
    )


class ActionForm(FlaskForm):
    """A button that changes something: carries only the CSRF token."""


class RetireForm(FlaskForm):
    note = TextAreaField(
        "Why", filters=[strip], validators=[InputRequired("Say why"), Length(max=1000)]
    )


class VerifyForm(FlaskForm):
    verification_source = StringField(
        "How you checked it",
        filters=[collapse],
        validators=[
            DataRequired("Say how you checked the entry, e.g. phoned the service"),
            Length(max=300),
        ],
    )


class DecisionForm(FlaskForm):
    note = TextAreaField(
        "Note for the author", filters=[strip], validators=[Optional(), Length(max=1000)]
    )
    revision = HiddenField()  # the proposal revision on the reviewer's screen

    def seen_revision(self) -> int:
        # A form without it (e.g. a page opened before it existed) cannot say what was read,
        # so it counts as stale: revisions start at 1.
        value = self.revision.data or ""
        return int(value) if value.isdigit() else 0


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField("Name", filters=[strip])
    borough = SelectField("Borough", choices=[])
    strand = SelectField("Strand", choices=[("", "Any")] + term_choices("strand"))
    need = SelectField("Need", choices=[("", "Any")] + term_choices("need"))
    status = SelectField(
        "Status",
        choices=[
            ("", "Any"),
            ("active", "Active"),
            ("temporarily-closed", "Temporarily closed"),
            ("defunct", "Retired"),
        ],
    )
    needs_checking = BooleanField("Only entries that need checking")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.borough.choices = [("", "Any")] + borough_choices(False)
