"""``array_literal``: PostgreSQL reads the literal back as the list it was made from."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from core.pgarray import array_literal

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's array syntax"),
]

# PostgreSQL text cannot hold NUL; everything else can.
_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"))


def _read(literal: str, array_type: str) -> list[object]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT %s::{array_type}[]", [literal])
        return list(cursor.fetchone()[0])


def test_any_text_comes_back_as_it_was() -> None:
    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.one_of(st.none(), _text, st.sampled_from(["NULL", "null", "", " "]))))
    def check(values: list[str | None]) -> None:
        assert _read(array_literal(values), "text") == values

    check()


def test_numbers_and_dates_come_back_as_they_were() -> None:
    @settings(max_examples=100, deadline=None)
    @given(
        st.lists(st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1))),
        st.lists(st.one_of(st.none(), st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)))),
    )
    def check(numbers: list[int | None], dates: list[dt.date | None]) -> None:
        assert _read(array_literal(numbers), "bigint") == numbers
        assert _read(array_literal(dates), "date") == dates

    check()


def test_a_boolean_is_refused_rather_than_sent_as_a_number() -> None:
    with pytest.raises(TypeError):
        array_literal([True])
