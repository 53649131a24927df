"""The web pages' tests reuse the workflow tests' people and story teller, and
the audit tests' anchor file (the audit explorer's pages check the chain)."""

from __future__ import annotations

from ..audit.conftest import anchor_file
from ..workflow.conftest import extras, story

__all__ = ["anchor_file", "extras", "story"]
