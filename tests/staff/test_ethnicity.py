"""The WRES grouping of NHS ethnic category codes, for every code and any input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from staff.ethnicity import BME_CODES, WHITE_CODES, EthnicCategory, WresGroup, wres_group

WHITE = {EthnicCategory.A, EthnicCategory.B, EthnicCategory.C}
NOT_STATED = {EthnicCategory.Z}


def test_the_codes_are_the_data_dictionary_list_without_i_o_or_q():
    assert "".join(EthnicCategory.values) == "ABCDEFGHJKLMNPRSZ"


def test_every_stated_code_is_either_white_or_bme_and_never_both():
    stated = set(EthnicCategory.values) - NOT_STATED
    assert stated == WHITE_CODES | BME_CODES
    assert not WHITE_CODES & BME_CODES


@given(code=st.sampled_from(list(EthnicCategory)))
def test_each_code_falls_in_its_wres_group(code):
    expected = (
        WresGroup.WHITE
        if code in WHITE
        else WresGroup.UNKNOWN
        if code in NOT_STATED
        else WresGroup.BME
    )
    assert wres_group(code.value) == expected


@given(code=st.sampled_from(list(EthnicCategory)), lower=st.booleans(), pad=st.text(" \t\n"))
def test_case_and_surrounding_space_do_not_change_the_group(code, lower, pad):
    cell = pad + (code.value.lower() if lower else code.value) + pad

    assert wres_group(cell) == wres_group(code.value)


@given(text=st.one_of(st.none(), st.text()))
def test_any_input_gives_a_group_and_only_a_code_gives_white_or_bme(text):
    group = wres_group(text)

    assert group in set(WresGroup)
    if group != WresGroup.UNKNOWN:
        assert (text or "").strip().upper() in set(EthnicCategory.values)


@pytest.mark.parametrize("text", ["", "I", "O", "Q", "i", "Not stated", "AB", "White"])
def test_blank_and_unused_letters_are_unknown(text):
    assert wres_group(text) == WresGroup.UNKNOWN
