"""The panel tests reuse the workflow tests' people and story teller."""

from ..workflow.conftest import _fast_passwords, extras, story

__all__ = ["_fast_passwords", "extras", "story"]
