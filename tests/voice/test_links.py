"""The single-use link's pure rules (voice/links.py), without the database:
the shape of a token, its digest, and when a link still opens."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from voice.links import LinkState, link_state, token_digest, token_make, token_parse

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(days=10)


def test_a_token_names_its_trust_and_parses_to_its_digest() -> None:
    token = token_make(7)
    parsed = token_parse(token)
    assert parsed is not None
    assert (parsed.trust_id, parsed.digest) == (7, token_digest(token))
    assert token_make(7) != token


@given(st.text(max_size=80))
def test_any_other_string_parses_to_another_digest_or_nothing(other: str) -> None:
    token = token_make(3)
    parsed = token_parse(other)
    assert other == token or parsed is None or parsed.digest != token_digest(token)


def test_what_is_not_a_token_is_not_looked_up() -> None:
    good = token_make(12)
    for bad in ["", "12", "12.", "x.abc", "0." + good.split(".")[1], good + "A", good[:-1]]:
        assert token_parse(bad) is None


def _state(**kw: object) -> str:
    args: dict[str, object] = {
        "used_at": None,
        "revoked_at": None,
        "expires_at": LATER,
        "case_before_decision": True,
        "now": NOW,
    }
    args.update(kw)
    return link_state(**args)  # type: ignore[arg-type]


def test_a_link_opens_until_used_expired_revoked_or_the_case_moves_on() -> None:
    assert _state() == LinkState.LIVE
    assert _state(used_at=NOW) == LinkState.USED
    assert _state(now=LATER) == LinkState.EXPIRED
    assert _state(revoked_at=NOW) == LinkState.REVOKED
    assert _state(case_before_decision=False) == LinkState.REVOKED
    # Used says so even after it would have expired.
    assert _state(used_at=NOW, now=LATER) == LinkState.USED
