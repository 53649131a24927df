"""The security tests reuse the shared cast and the workflow tests' story teller."""

from __future__ import annotations

from ..workflow.conftest import story

__all__ = ["story"]
