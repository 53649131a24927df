"""Every action on a case is one function here (or in ``panels.services``).

Each takes keyword-only arguments, runs in one transaction, checks the
actor's role and relation, the case's stage, and the input, then writes,
moves the flow and appends an audit event. Errors are ``core.errors``.
"""

from .referrals import referral_resubmit, referral_submit, referral_withdraw
from .signoff import case_signoff
from .triage import case_record_informal_outcome, case_triage

__all__ = [
    "case_record_informal_outcome",
    "case_signoff",
    "case_triage",
    "referral_resubmit",
    "referral_submit",
    "referral_withdraw",
]
