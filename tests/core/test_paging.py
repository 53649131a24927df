"""Keyset page cursors (``core.paging``): whatever text arrives as a cursor
is either a cursor this product could have written or refused as a ValueError
(a 400 at the door), never another exception; and a cursor survives the trip
through a link."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from core.paging import AFTER, BEFORE, CURSOR_MAX_LENGTH, Cursor, CursorField

values_st = st.lists(st.integers(-(2**62), 2**62) | st.text(max_size=30), min_size=1, max_size=3)


@given(direction=st.sampled_from([AFTER, BEFORE]), values=values_st)
def test_a_cursor_survives_a_link(direction: str, values: list[int | str]) -> None:
    cursor = Cursor(direction, tuple(values))
    text = cursor.encode()
    if len(text) <= CURSOR_MAX_LENGTH:
        assert Cursor.decode(text) == cursor
        assert text.isascii()
        assert not {"=", "&", "+", "/"} & set(text)  # safe in a query string as it is


@given(text=st.text(max_size=300) | st.binary(max_size=200).map(lambda b: b.hex()))
def test_any_text_is_a_cursor_or_a_value_error(text: str) -> None:
    try:
        cursor = Cursor.decode(text)
    except ValueError:
        return
    assert cursor.direction in (AFTER, BEFORE)
    assert cursor.values


@pytest.mark.parametrize("text", ["", "0", "two", "WyJ4IiwxXQ", "WyJhIl0", "W10", "e30", "x" * 500])
def test_the_field_refuses_what_is_not_a_cursor(text: str) -> None:
    form_field = CursorField()
    if text == "":
        assert form_field.clean(text) is None
        return
    with pytest.raises(ValidationError, match=r"damaged or out of date|at most"):
        form_field.clean(text)
