"""The security tests reuse the shared cast and the workflow tests' story teller,
and say at the end of the run how much the permission matrix checked."""

from __future__ import annotations

import sys
from typing import Any

from ..workflow.conftest import story

__all__ = ["story"]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    # Filled by the matrix tests as they run (only if they ran in this process).
    matrix = sys.modules.get("tests.security.test_permission_matrix")
    sizes = getattr(matrix, "MATRIX_SIZE", {})
    if not sizes:
        return
    terminalreporter.section("permission matrix")
    for kind, size in sizes.items():
        terminalreporter.write_line(
            f"{kind}: {size['requests']} requests = {size['routes']} routes x "
            f"{size['people']} people over {size['route_objects']} (route, object) pairs; "
            f"{len(size['markers'])} marker strings searched in every body"
        )
    markers = next(iter(sizes.values()))["markers"]
    terminalreporter.write_line(f"markers: {markers}")
