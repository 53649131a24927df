"""NHS Data Dictionary ethnic category codes and the WRES grouping.

Ethnicity is special-category data under UK GDPR: nothing in this module
logs, and callers show it only to roles allowed to see it.
"""

from __future__ import annotations

from django.db import models


class EthnicCategory(models.TextChoices):
    # The Data Dictionary has no I, O or Q.
    A = "A", "White - British"
    B = "B", "White - Irish"
    C = "C", "White - Any other White background"
    D = "D", "Mixed - White and Black Caribbean"
    E = "E", "Mixed - White and Black African"
    F = "F", "Mixed - White and Asian"
    G = "G", "Mixed - Any other mixed background"
    H = "H", "Asian or Asian British - Indian"
    J = "J", "Asian or Asian British - Pakistani"
    K = "K", "Asian or Asian British - Bangladeshi"
    L = "L", "Asian or Asian British - Any other Asian background"
    M = "M", "Black or Black British - Caribbean"
    N = "N", "Black or Black British - African"
    P = "P", "Black or Black British - Any other Black background"
    R = "R", "Other ethnic groups - Chinese"
    S = "S", "Other ethnic groups - Any other ethnic group"
    Z = "Z", "Not stated"


class WresGroup(models.TextChoices):
    WHITE = "white", "White"
    BME = "bme", "BME"
    UNKNOWN = "unknown", "Unknown / not stated"


WHITE_CODES = frozenset("ABC")
BME_CODES = frozenset("DEFGHJKLMNPRS")


def wres_group(code: str | None) -> WresGroup:
    """A, B, C are white; D to S are BME; Z, blank or anything else unknown."""
    code = (code or "").strip()
    # ASCII only: str.upper() maps some non-ASCII letters (the long s, U+017F) onto A-Z.
    code = code.upper() if code.isascii() else code
    if code in WHITE_CODES:
        return WresGroup.WHITE
    if code in BME_CODES:
        return WresGroup.BME
    return WresGroup.UNKNOWN
