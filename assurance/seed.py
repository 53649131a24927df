"""The starting questions a trust is offered (``questions_seed``).

Written from what the case-study trust did (docs/domain/, issue 17): every
proposed referral tried informally first, reviewed by a Fair Treatment Panel
with an independent member, signed off by a senior leader, investigators and
managers trained, the figures reported by ICSU and ethnic group, findings
taken up the governance chain with "You said, we did". The trust rewords,
adds and retires them as it sees fit; each edit is a new version.
"""

from __future__ import annotations

from .models import QuestionSet

# (question, what good evidence looks like)
WRES3 = (
    (
        "Every proposed disciplinary referral is first considered for informal resolution, "
        "and the steps tried are recorded.",
        "Referral records showing informal steps tried; the share of referrals resolved "
        "informally this quarter.",
    ),
    (
        "No proposed referral enters a formal investigation until a Fair Treatment Panel, "
        "with at least one trained independent member, has reviewed it and decided.",
        "Panel records for the quarter; membership showing the independent member "
        "(cultural ambassador) on each panel.",
    ),
    (
        "A senior leader (such as the Director of People) signs off every decision to "
        "commission a formal investigation, and the manager explains why formal action is "
        "the only option.",
        "Sign-off records with the reasons given; any declined sign-offs.",
    ),
    (
        "Panel members declare any conflict of interest before they see a case, and "
        "anyone in the employee's line management or team is kept off the panel.",
        "Declarations recorded for every seat; how conflicts were handled.",
    ),
    (
        "Investigators and case managers have been trained in fair, just-culture "
        "investigation and in recognising bias within the last two years.",
        "Training records: names trained, dates, the course.",
    ),
    (
        "Managers who may refer staff have been trained in the just culture guide and in "
        "resolving concerns informally.",
        "Training attendance by ICSU; manager briefings held.",
    ),
    (
        "Disciplinary figures are reviewed every quarter by ICSU and by ethnic group "
        "(disaggregated), with small numbers suppressed.",
        "The quarter's report and the minutes of the meeting that reviewed it.",
    ),
    (
        "Findings and actions are taken up the governance chain (People Committee, "
        "Workforce Assurance Committee, Trust Board) and staff networks hear back what "
        "was done (\u201cYou said, we did\u201d).",
        "Committee papers and minutes; feedback given to staff networks.",
    ),
    (
        "Any suspension or exclusion is reviewed by a senior leader at least every two "
        "weeks and kept as short as possible.",
        "Suspension reviews with dates and outcomes.",
    ),
    (
        "The disciplinary policy has been reviewed against just-culture principles with "
        "the staff networks within the last three years.",
        "The policy's review record and the networks' comments.",
    ),
)

INCLUSION = (
    (
        "Everyone in the team knows how to raise a concern, including through the Freedom "
        "to Speak Up guardian, and that racism can be reported confidentially.",
        "Team briefing notes; the guardian's contact details on display.",
    ),
    (
        "Team members have completed inclusion and anti-racism training this year.",
        "Training completion for the team.",
    ),
    (
        "Concerns about a colleague's conduct are first talked through informally and "
        "supportively, and the steps tried are noted.",
        "Examples from the quarter; supervision notes.",
    ),
    (
        "Development, acting-up and training opportunities are advertised to the whole "
        "team and shared fairly.",
        "Opportunities offered this quarter and who took them up.",
    ),
    (
        "The team's leader has talked through the latest WRES and staff survey results "
        "with the team, and what the team will do about them.",
        "Meeting notes; the team's own actions.",
    ),
    (
        "New starters, including internationally recruited staff, have a named buddy and "
        "an induction that covers how the team works and how to raise concerns.",
        "Induction checklists; buddy assignments.",
    ),
    (
        "In team meetings everyone has the chance to speak, and behaviour that excludes "
        "or belittles is challenged.",
        "Observations, pulse survey results, examples of challenge.",
    ),
)

STARTING_QUESTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    QuestionSet.WRES3.value: WRES3,
    QuestionSet.INCLUSION.value: INCLUSION,
}
