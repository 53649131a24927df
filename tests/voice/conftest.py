"""The voice tests reuse the workflow tests' people and story teller."""

from ..workflow.conftest import extras, story

__all__ = ["extras", "story"]
