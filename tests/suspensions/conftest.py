"""The register's tests reuse the workflow tests' people and story teller."""

from __future__ import annotations

from ..workflow.conftest import extras, story

__all__ = ["extras", "story"]
