"""An anonymous concern's case key and passphrase.

The case key finds the concern; the passphrase proves the holder raised it.
Both are shown to the reporter once, when they raise it, and never again:
the product keeps the key (it is looked up by it) and only a slow hash of the
passphrase (Django's password hasher), so a copy of the database opens no
conversation.

* Case key: 16 characters from an alphabet without the characters people
  confuse (no 0/O, 1/I/L, U), shown in groups of four: 30^16, about 78 bits.
* Passphrase: five groups of four lower-case characters from the same
  alphabet: 30^20, about 98 bits.

Both come from ``secrets``. Typed back, case and spaces or dashes do not
matter (``key_normalise``).
"""

from __future__ import annotations

import math
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
KEY_LENGTH = 16
PASSPHRASE_GROUPS = 5
GROUP = 4

KEY_BITS = KEY_LENGTH * math.log2(len(ALPHABET))
PASSPHRASE_BITS = PASSPHRASE_GROUPS * GROUP * math.log2(len(ALPHABET))


def _grouped(text: str) -> str:
    return "-".join(text[i : i + GROUP] for i in range(0, len(text), GROUP))


def case_key_new() -> str:
    """A new case key, as stored (no dashes)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(KEY_LENGTH))


def case_key_shown(key: str) -> str:
    """The key as shown to the reporter: ``ABCD-EFGH-JKMN-PQRS``."""
    return _grouped(key)


def passphrase_new() -> str:
    """A new passphrase, as shown: ``abcd-efgh-jkmn-pqrs-tvwx``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(PASSPHRASE_GROUPS * GROUP))
    return _grouped(raw.lower())


def key_normalise(typed: str) -> str:
    """A typed key as stored: upper case, without spaces or dashes."""
    return "".join(c for c in typed.upper() if c not in " -\t")


def passphrase_normalise(typed: str) -> str:
    """A typed passphrase as hashed: lower case, groups joined by dashes."""
    raw = "".join(c for c in typed.lower() if c not in " -\t")
    return _grouped(raw)
