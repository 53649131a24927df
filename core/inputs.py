"""Query strings, parsed at the door.

Every GET parameter a page reads goes through a form from here first, so that
nothing a person can type into an address reaches a query or date arithmetic
unchecked: choices are checked against the model's choices, text refuses
control characters (PostgreSQL cannot hold NUL at all), dates lie between
2000 and 2100 (so ``date + 1 day`` and the end of a day never overflow), and
page numbers are bounded positive integers.

A page that shows its own filters re-renders them with the errors beside the
fields (400); anything else raises :class:`InvalidQuery`, which
``config.middleware.RequestLimitsMiddleware`` answers with the "could not be
understood" page (400) listing each error.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.http import HttpRequest, QueryDict

# C0 controls (NUL among them), DEL and the C1 controls: never part of a filter.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
CONTROL_MESSAGE = "Remove the control characters (such as NUL) from this value."

# Dates anyone may ask about. The product's data starts this century; the bounds
# keep a day's end, the next day and time-zone conversion far from date.max.
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)
DATE_RANGE_MESSAGE = "Enter a date between 2000 and 2100."

# No list reaches a millionth page; a bigger number is a typo or a probe.
PAGE_MAX = 1_000_000


def refuse_control_characters(value: str) -> None:
    """Validator: no control characters anywhere in ``value``."""
    if CONTROL_CHARACTERS.search(value):
        raise ValidationError(CONTROL_MESSAGE, code="control_characters")


def refuse_far_dates(value: dt.date | None) -> None:
    """Validator: a date from 2000 to 2100 (blank passes)."""
    if value and not EARLIEST <= value <= LATEST:
        raise ValidationError(DATE_RANGE_MESSAGE, code="date_range")


class TextFilterField(forms.CharField):
    """Free text from a query string: bounded, and without control characters."""

    def __init__(self, *, max_length: int = 150, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(max_length=max_length, **kwargs)
        self.validators.append(refuse_control_characters)


class BoundedDateField(forms.DateField):
    """A date from 2000 to 2100, saying so when it is not."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "Between 2000 and 2100.")
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        refuse_far_dates(value)


class PageField(forms.IntegerField):
    """A page number: a whole number from 1 to a million (blank is the first page)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Page")
        super().__init__(min_value=1, max_value=PAGE_MAX, **kwargs)

    def to_python(self, value: Any) -> int | None:
        # int() refuses more than 4,300 digits with ValueError (caught by
        # IntegerField), but only after the work; refuse long strings first.
        if isinstance(value, str) and len(value) > len(str(PAGE_MAX)) + 2:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class QueryForm(forms.Form):
    """A form bound to a query string. Every value of every field it knows is
    checked for control characters, whatever the field's type: a checkbox or
    a number field would otherwise read ``\\x00`` as "on" or as junk. Parameters
    it does not know are ignored, as links from elsewhere may carry them."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in self.fields:
            values = (
                self.data.getlist(name)
                if isinstance(self.data, QueryDict)
                else [self.data.get(name)]
            )
            controlled = any(isinstance(v, str) and CONTROL_CHARACTERS.search(v) for v in values)
            if controlled and name not in self.errors:
                self.add_error(name, ValidationError(CONTROL_MESSAGE, code="control_characters"))
        return data

    def error_list(self) -> list[tuple[str, list[str]]]:
        """(field label, messages) for every error, for the "could not be understood" page."""
        out: list[tuple[str, list[str]]] = []
        for name, errors in self.errors.items():
            label = str(self.fields[name].label or name.replace("_", " ").capitalize())
            out.append((label if name != "__all__" else "", [str(e) for e in errors]))
        return out


class InvalidQuery(BadRequest):
    """A query string a page cannot use: answered with a 400 naming each error
    (``config.middleware``), before anything was read or written."""

    def __init__(self, form: QueryForm) -> None:
        super().__init__("The request could not be understood.")
        self.form = form
        self.errors = form.error_list()
        self.by_name = {name: [str(m) for m in msgs] for name, msgs in form.errors.items()}


F = TypeVar("F", bound=QueryForm)


def parse_query(form_class: type[F], request: HttpRequest, **kwargs: Any) -> F:
    """The page's query string as a valid ``form_class``, or :class:`InvalidQuery`."""
    form = form_class(request.GET, **kwargs)
    if not form.is_valid():
        raise InvalidQuery(form)
    return form


class PageForm(QueryForm):
    """A list with nothing to filter but its page (the inbox, notifications)."""

    page = PageField()
