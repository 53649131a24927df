"""The old aggregate overview, superseded by the governance pack.

The pack (``web.reports``, at /reports/governance/) shows the same stage
and outcome counts as its funnel, with indicator 3 and small-cell
suppression, so there is one place for aggregate figures. This URL stays
an alias of it, because the landing page sends governance viewers here and
people have it bookmarked.
"""

from __future__ import annotations

from web.reports import GovernancePackView


class OverviewView(GovernancePackView):
    """The governance pack, at the overview's old address."""
