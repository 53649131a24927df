"""axe-core, injected into each page a journey visits.

Every page is checked against WCAG 2.0, 2.1 and 2.2 A and AA and axe's best
practices. A serious or critical violation fails the journey at that page;
the rest (moderate, minor) are kept in the report for the next pass.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = {"serious", "critical"}


@dataclass
class AxeLog:
    """The axe-core source and what it found on every page checked."""

    source: str
    pages: list[dict[str, Any]] = field(default_factory=list)

    def check(self, page: Any, name: str) -> list[dict[str, Any]]:
        """Run axe on ``page`` as it is now; record the result and return the
        serious and critical violations."""
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            # Evaluated through the browser's debugging protocol, which the page's
            # Content-Security-Policy does not govern: an injected <script> tag
            # would be refused (no inline script), and bypassing the policy for
            # the whole page would hide the app's own violations.
            page.evaluate(self.source)
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
        )
        violations = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]][:10],
                "why": v["nodes"][0].get("failureSummary", "") if v["nodes"] else "",
            }
            for v in result["violations"]
        ]
        self.pages.append(
            {"name": name, "url": page.url, "title": page.title(), "violations": violations}
        )
        return [v for v in violations if v["impact"] in BLOCKING]

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.pages, indent=2))


def explain(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}) at {v['nodes']}: {v['why']}" for v in violations
    )
