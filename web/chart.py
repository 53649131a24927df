from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe
from viewflow.workflow import chart

from workflow.flows import ReferralFlow


def case_flow_chart(process_id: int) -> SafeString:
    """viewflow's SVG of the referral flow with this case's path coloured.

    The SVG is built from the flow definition and task statuses only (no user
    input), so it is safe to mark as such.
    """
    grid = chart.calc_layout_data(ReferralFlow)
    chart.calc_cell_status(ReferralFlow, grid, process_id)
    svg: str = chart.grid_to_svg(grid)  # viewflow ships no types: declared here
    return mark_safe(svg)  # noqa: S308
