"""Who may see what: every rule that decides it, written once, in both forms.

Each rule is a class with its two forms side by side, so they cannot drift:

* ``allows(user, case)``, the Python form, for a case in hand (a page, a
  form's ``initial``, an API body, a notification);
* ``q(user, prefix="")``, the query form, a ``Q`` over cases for a list (the
  case list and its filters, the API list, the inbox). ``prefix`` is the
  path from the listed model to the case, e.g. ``"process__case__"`` for
  tasks. ``Q()`` matches every case; ``nothing(prefix)`` none.

``tests/workflow/test_access_rules.py`` checks, over generated people and
cases, that the two forms agree and that every page and list follows them.

What a page may print of a case is then decided by ``Shown``: the case's
fields grouped by the rule that guards them. ``ShownCase`` hands a template
(or a serializer) only the fields its viewer may see and ``Withheld`` for
the rest, so a template that prints a restricted field by mistake prints
nothing rather than the secret.

Who sits on a case's panels, and who declared no conflict, are facts of the
panels stage, above the engine: the rules ask them of the
``workflow.participants`` port, whose Python forms use what a selector
prefetched.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.db.models import Case as SqlCase
from django.db.models import Exists, F, Q, TextChoices, TextField, Value, When
from django.db.models.query import ModelIterable

from accounts.delegation import delegated_to
from accounts.roles import Role, user_roles

from .named_people import named_people
from .participants import participants

if TYPE_CHECKING:
    import datetime as dt

    from accounts.types import Actor, Viewer
    from audit.models import AuditEvent

    from .models import Case

# The audit events whose reason is a member's stated conflict of interest.
CONFLICT_EVENTS = frozenset({"declare"})
# The events of the suspension register (``suspensions``): kept off the path
# of anyone ``SuspensionVisible`` hides the register from (``CaseView.path``).
SUSPENSION_EVENTS = frozenset(
    {
        "record_suspension",
        "review_suspension",
        "lift_suspension",
        "suspension_lifted_with_case",
        "suspension_notice_sent",
    }
)


def nothing(prefix: str = "") -> Q:
    """A filter that matches no case."""
    return Q(**{f"{prefix}pk__in": []})


def _roles(user: Viewer) -> frozenset[Role]:
    return user_roles(user)


def _is_referrer(user: Viewer, case: Case) -> bool:
    return bool(user.is_authenticated and case.referring_manager_id == user.pk)


def _member_ids(case: Case) -> set[int]:
    return participants().seated_ids(case)


def _membership(user: Actor, prefix: str) -> Exists:
    """The user holds a seat (any seat, whatever became of it) on the case's panels."""
    return participants().seated_q(user, prefix)


def _referred(user: Actor, prefix: str) -> Q:
    return Q(**{f"{prefix}referring_manager": user.pk})


class CaseVisible:
    """HR advisers and decision-makers see every case; a manager the cases they
    referred; a panel member the cases they were convened on, whatever became
    of their seat (what they see of it is ``DetailsVisible``'s); governance
    and anyone else no case. A delegate covering someone today
    (``accounts.delegation``) also sees what that person sees, in the roles
    both hold: never a delegate's delegate."""

    @staticmethod
    def allows(user: Viewer, case: Case) -> bool:
        if case.destroyed_at is not None:  # a destroyed file: RetentionManage's alone
            return False
        roles = _roles(user)
        if roles & {Role.HR, Role.DECISION_MAKER}:
            return True
        if not user.is_authenticated:
            return False
        # The delegations are read only when the person's own roles refuse.
        return _sees(user.pk, roles, case, own=True) or any(
            _sees(pk, held, case) for pk, held in delegated_to(user).items()
        )

    @staticmethod
    def q(user: Viewer, prefix: str = "") -> Q:
        roles = _roles(user)
        if roles & {Role.HR, Role.DECISION_MAKER}:
            return _live(prefix)
        if not user.is_authenticated:  # nobody logged in holds no role
            return nothing(prefix)
        q = _sees_q(user.pk, roles, prefix, own=True)
        for pk, held in delegated_to(user).items():
            q |= _sees_q(pk, held, prefix)
        return q & _live(prefix)


def _sees(user_id: int, roles: frozenset[Role], case: Case, *, own: bool = False) -> bool:
    """A manager's or panel member's own sight of a case (``CaseVisible``);
    ``own``: the person's own, not a delegate's borrowed sight, which also
    covers being named by the formal process (personal, never delegated)."""
    if Role.MANAGER in roles and case.referring_manager_id == user_id:
        return True
    if Role.PANEL in roles and user_id in _member_ids(case):
        return True
    # Whoever the formal process names (investigator, hearing chair, appeal
    # hearer: ``workflow.named_people``), whatever role they hold.
    return own and user_id in named_people().named_ids(case)


def _sees_q(user_id: int, roles: frozenset[Role], prefix: str, *, own: bool = False) -> Q:
    q = nothing(prefix)
    if Role.MANAGER in roles:
        q |= _referred_id(user_id, prefix)
    if Role.PANEL in roles:
        q |= Q(_membership(_as_person(user_id), prefix))
    return q | Q(named_people().named_q(user_id, prefix)) if own else q


def _as_person(user_id: int) -> Actor:
    # The participants' query forms filter by the user, which a primary key does as well.
    return cast("Actor", user_id)


def _referred_id(user_id: int, prefix: str) -> Q:
    return Q(**{f"{prefix}referring_manager": user_id})


def _live(prefix: str) -> Q:
    """Cases whose file has not been destroyed under the retention schedule."""
    return Q(**{f"{prefix}destroyed_at__isnull": True})


class CaseListExport:
    """Downloading the case list (CSV or XLSX): HR advisers alone, who keep
    the trust's records. The file holds the cases ``CaseVisible`` gives them,
    each row as ``DetailsVisible`` allows; never the ethnic category."""

    @staticmethod
    def allows(user: Viewer) -> bool:
        return Role.HR in _roles(user)


class RetentionManage:
    """The retention schedule's list of files due for destruction, confirming
    a destruction, and a destroyed file's tombstone: HR advisers alone (the
    records management duty sits with HR; docs/retention.md). Everyone else
    gets no such page, and a destroyed case is a 404 to them."""

    @staticmethod
    def allows(user: Viewer, case: Case | None = None) -> bool:
        return Role.HR in _roles(user)

    @staticmethod
    def q(user: Viewer, prefix: str = "") -> Q:
        return Q() if Role.HR in _roles(user) else nothing(prefix)


class DetailsVisible:
    """The case's substance: the employee's record (department, job), the
    concern, the guide, triage, the informal stage, decisions and the path.

    Whoever may see the case sees it, except a panel member who has not
    declared "no conflict" on the current panel (yet to declare, stood down
    after declaring a conflict, or replaced): whoever may have a conflict
    must not read the details first. HR, decision-makers and the referring
    manager see it whatever seat they hold."""

    @staticmethod
    def allows(user: Viewer, case: Case) -> bool:
        if case.destroyed_at is not None:
            return False
        roles = _roles(user)
        if roles & {Role.HR, Role.DECISION_MAKER}:
            return True
        if not user.is_authenticated:
            return False
        # A delegate reads what the person they cover may read, no more: a
        # member yet to declare hands on no details (docs/case-owners.md).
        return _reads(user.pk, roles, case, own=True) or any(
            _reads(pk, held, case) for pk, held in delegated_to(user).items()
        )

    @staticmethod
    def q(user: Viewer, prefix: str = "") -> Q:
        roles = _roles(user)
        if roles & {Role.HR, Role.DECISION_MAKER} or not user.is_authenticated:
            return CaseVisible.q(user, prefix)
        q = _reads_q(user.pk, roles, prefix, own=True)
        for pk, held in delegated_to(user).items():
            q |= _reads_q(pk, held, prefix)
        return q & _live(prefix)


def _reads(user_id: int, roles: frozenset[Role], case: Case, *, own: bool = False) -> bool:
    """A manager's or panel member's own reading of a case's details: they see
    it, and referred it, hold no seat on it, or declared no conflict. (Someone
    the formal process names holds no seat: ``panels.rules.independence``.)"""
    if not _sees(user_id, roles, case, own=own):
        return False
    if case.referring_manager_id == user_id or user_id not in _member_ids(case):
        return True
    return participants().cleared(case, user_id)


def _reads_q(user_id: int, roles: frozenset[Role], prefix: str, *, own: bool = False) -> Q:
    person = _as_person(user_id)
    cleared = participants().cleared_q(person, prefix)
    return _sees_q(user_id, roles, prefix, own=own) & (
        _referred_id(user_id, prefix) | ~Q(_membership(person, prefix)) | Q(cleared)
    )


class PanelViewsVisible:
    """Members' individual views are the panel's deliberation: HR,
    decision-makers and panel members cleared of conflicts see them; the
    referring manager never does."""

    @staticmethod
    def allows(user: Viewer, case: Case) -> bool:
        roles = _roles(user)
        if roles & {Role.HR, Role.DECISION_MAKER}:
            return True
        return (
            user.is_authenticated
            and Role.PANEL in roles
            and not _is_referrer(user, case)
            and participants().cleared_on_any(case, user.pk)
        )

    @staticmethod
    def q(user: Viewer, prefix: str = "") -> Q:
        roles = _roles(user)
        if roles & {Role.HR, Role.DECISION_MAKER}:
            return Q()
        if Role.PANEL not in roles or not user.is_authenticated:
            return nothing(prefix)
        return ~_referred(user, prefix) & Q(participants().cleared_on_any_q(user, prefix))


class SignoffIndependent:
    """Who may be offered and take the sign-off: a decision-maker who is
    neither the referring manager nor on the case's panel (in any seat), so
    the sign-off is an independent check."""

    @staticmethod
    def allows(user: Viewer, case: Case) -> bool:
        return (
            Role.DECISION_MAKER in _roles(user)
            and not _is_referrer(user, case)
            and user.pk not in _member_ids(case)
        )

    @staticmethod
    def q(user: Viewer, prefix: str = "") -> Q:
        if Role.DECISION_MAKER not in _roles(user) or not user.is_authenticated:
            return nothing(prefix)
        return ~_referred(user, prefix) & ~Q(_membership(user, prefix))


class EthnicityVisible:
    """The employee's ethnic category (special-category data): HR advisers and
    decision-makers only, and each showing is recorded by the selector."""

    @staticmethod
    def allows(user: Viewer, case: Case | None = None) -> bool:
        return bool(_roles(user) & {Role.HR, Role.DECISION_MAKER})

    @staticmethod
    def q(user: Viewer, prefix: str = "") -> Q:
        return Q() if EthnicityVisible.allows(user) else nothing(prefix)


class SubjectAccessProduce:
    """Who may produce an employee's subject access pack (``records.subject_access``):
    HR advisers alone, who answer the trust's subject access requests, and
    never for their own record (another adviser answers that request).

    Over employees, not cases: ``allows`` takes the login linked to the
    employee (None when they have none); ``q`` matches the cases a pack
    produced by ``user`` may read."""

    @staticmethod
    def allows(user: Viewer, employee_user_id: int | None = None) -> bool:
        if Role.HR not in _roles(user):
            return False
        return employee_user_id is None or employee_user_id != user.pk

    @staticmethod
    def q(user: Viewer, prefix: str = "") -> Q:
        if Role.HR not in _roles(user) or not user.is_authenticated:
            return nothing(prefix)
        return ~Q(**{f"{prefix}employee__user": user.pk})


class EmployeeReferable:
    """Whom a referring manager may refer: any employee of the trust they act
    for (row-level security keeps every other trust's staff out of reach),
    except themselves (the employee record linked to their own login). Anyone
    who is not a referring manager may refer nobody.

    Over employees, not cases: the referral form's employee picker lists
    ``q`` and ``referral_submit`` checks ``allows``, so the picker never
    offers someone the service would refuse."""

    @staticmethod
    def allows(user: Viewer, employee_user_id: int | None) -> bool:
        if Role.MANAGER not in _roles(user) or not user.is_authenticated:
            return False
        return employee_user_id is None or employee_user_id != user.pk

    @staticmethod
    def q(user: Viewer, prefix: str = "") -> Q:
        """Employees ``user`` may refer (``prefix``: the path to the employee)."""
        if Role.MANAGER not in _roles(user) or not user.is_authenticated:
            return Q(**{f"{prefix}pk__in": []})
        return Q(**{f"{prefix}user__isnull": True}) | ~Q(**{f"{prefix}user": user.pk})


class ConflictReasonVisible:
    """A member's stated reason for a conflict of interest ("the employee is a
    close friend of mine") is for HR alone, who must replace them: never the
    referring manager, the other members or decision-makers. An HR adviser
    who referred the case is its referring manager there."""

    @staticmethod
    def allows(user: Viewer, case: Case) -> bool:
        return Role.HR in _roles(user) and not _is_referrer(user, case)

    @staticmethod
    def q(user: Viewer, prefix: str = "") -> Q:
        if Role.HR not in _roles(user) or not user.is_authenticated:
            return nothing(prefix)
        return ~_referred(user, prefix)


class EventReasonVisible:
    """An audit event's reason, wherever it is shown (the case page's path, the
    API's path, the explorer, its exports): a declaration's reason is a
    conflict's, so ``ConflictReasonVisible`` decides; any other event's reason
    is part of the path whoever may see the path reads.

    Unlike the others this rule is over events, not cases."""

    @staticmethod
    def allows(user: Viewer, event: AuditEvent) -> bool:
        if event.action not in CONFLICT_EVENTS:
            return True
        return event.case is not None and ConflictReasonVisible.allows(user, event.case)

    @staticmethod
    def q(user: Viewer) -> Q:
        return ~Q(action__in=CONFLICT_EVENTS) | (
            Q(case__isnull=False) & ConflictReasonVisible.q(user, "case__")
        )

    @staticmethod
    def shown_reason(user: Viewer) -> SqlCase:
        """The reason as ``user`` may read it, as an expression to annotate with."""
        return SqlCase(
            When(EventReasonVisible.q(user), then=F("reason")),
            default=Value(""),
            output_field=TextField(),
        )


class FileAudience(TextChoices):
    """Who may read a document or note in a case's file (``FileVisible``)."""

    HR = "hr", "HR only"
    PANEL = "panel", "HR and the panel"
    CASE = "case", "Everyone on the case"


def _cleared_member(user: Viewer, case: Case) -> bool:
    return (
        Role.PANEL in _roles(user)
        and not _is_referrer(user, case)
        and user.pk in _member_ids(case)
        and participants().cleared(case, user.pk)
    )


class FileVisible:
    """A document or note in the case's file, by its audience (``FileAudience``).

    Nobody reads anything of a file whose details they may not see
    (``DetailsVisible``): a panel member yet to declare "no conflict" sees no
    document or note, not even its title. Within that, ``case`` is for
    everyone; ``panel`` for HR advisers, members cleared on the current
    panel and the decision-maker who may sign off (never the referring
    manager as such); ``hr`` for HR advisers acting on a case they did not
    refer (``rules.hr_adviser``).

    Over rows that point at a case: ``q`` takes the path to the case
    (``prefix``) and the name of the row's audience column."""

    @staticmethod
    def allows(user: Viewer, case: Case, audience: str) -> bool:
        if not DetailsVisible.allows(user, case):
            return False
        audience = FileAudience(audience)
        if audience is FileAudience.CASE:
            return True
        hr = Role.HR in _roles(user) and not _is_referrer(user, case)
        if audience is FileAudience.HR:
            return hr
        return hr or _cleared_member(user, case) or SignoffIndependent.allows(user, case)

    @staticmethod
    def q(user: Viewer, prefix: str = "case__", audience_field: str = "audience") -> Q:
        if not user.is_authenticated:
            return nothing(prefix)
        roles = _roles(user)
        hr = ~_referred(user, prefix) if Role.HR in roles else nothing(prefix)
        panel = hr | SignoffIndependent.q(user, prefix)
        if Role.PANEL in roles:
            cleared = participants().cleared_q(user, prefix)
            panel |= ~_referred(user, prefix) & Q(_membership(user, prefix)) & Q(cleared)
        audience = (
            Q(**{audience_field: FileAudience.CASE})
            | (Q(**{audience_field: FileAudience.PANEL}) & panel)
            | (Q(**{audience_field: FileAudience.HR}) & hr)
        )
        return DetailsVisible.q(user, prefix) & audience


class AccountVisible:
    """The employee's own account of what happened, that they were told of the
    referral, and their account link's status (``voice``): what the panel
    weighs before deciding. HR advisers (acting on a case they did not
    refer), panel members cleared on the current panel, and the
    decision-maker who may sign off: exactly a ``FileAudience.PANEL``
    document's readers, so an account typed in and an account uploaded are
    read by the same people. Never the referring manager as such (it is the
    answer to their referral), never governance."""

    @staticmethod
    def allows(user: Viewer, case: Case) -> bool:
        return FileVisible.allows(user, case, FileAudience.PANEL)

    @staticmethod
    def q(user: Viewer, prefix: str = "") -> Q:
        if not user.is_authenticated:
            return nothing(prefix)
        roles = _roles(user)
        readers = ~_referred(user, prefix) if Role.HR in roles else nothing(prefix)
        readers |= SignoffIndependent.q(user, prefix)
        if Role.PANEL in roles:
            cleared = participants().cleared_q(user, prefix)
            readers |= ~_referred(user, prefix) & Q(_membership(user, prefix)) & Q(cleared)
        return DetailsVisible.q(user, prefix) & readers


class SuspensionVisible:
    """The suspension and exclusion register of a case (``suspensions``):
    the measure, its reason, its reviews. HR advisers and decision-makers
    alone, and of them neither the referring manager (an HR adviser who
    referred the case is its manager there) nor anyone seated on the case's
    panels: a suspension's reason can hold health details, and whether
    someone is excluded from work must not colour the panel's deliberation.
    Governance sees counts only (``reports``), never a row."""

    @staticmethod
    def allows(user: Viewer, case: Case) -> bool:
        if case.destroyed_at is not None or not user.is_authenticated:
            return False
        return (
            bool(_roles(user) & {Role.HR, Role.DECISION_MAKER})
            and not _is_referrer(user, case)
            and user.pk not in _member_ids(case)
        )

    @staticmethod
    def q(user: Viewer, prefix: str = "") -> Q:
        if not (_roles(user) & {Role.HR, Role.DECISION_MAKER}) or not user.is_authenticated:
            return nothing(prefix)
        return ~_referred(user, prefix) & ~Q(_membership(user, prefix)) & _live(prefix)


class SuspensionRegisterVisible:
    """The trust-wide register page and its export: HR advisers alone, who
    keep it; each row as ``SuspensionVisible`` allows."""

    @staticmethod
    def allows(user: Viewer) -> bool:
        return Role.HR in _roles(user)


class WellbeingVisible:
    """The case's wellbeing card and check-in history (``wellbeing``): who the
    contact is, each check-in and its notes (which can hold health details).
    HR advisers acting on a case they did not refer, and the case's named
    wellbeing contact (an HR adviser or decision-maker, so already someone
    who sees the case: ``wellbeing.services``). Never the referring manager
    as such, a panel member or governance (docs/wellbeing.md)."""

    @staticmethod
    def allows(user: Viewer, case: Case) -> bool:
        if case.destroyed_at is not None or not user.is_authenticated:
            return False
        roles = _roles(user)
        if not roles & {Role.HR, Role.DECISION_MAKER}:
            return False
        if Role.HR in roles and not _is_referrer(user, case):
            return True
        return case.wellbeing_contact_id == user.pk

    @staticmethod
    def q(user: Viewer, prefix: str = "") -> Q:
        roles = _roles(user)
        if not roles & {Role.HR, Role.DECISION_MAKER} or not user.is_authenticated:
            return nothing(prefix)
        contact = Q(**{f"{prefix}wellbeing_contact": user.pk})
        if Role.HR in roles:
            return (~_referred(user, prefix) | contact) & _live(prefix)
        return contact & _live(prefix)


class FormalVisible:
    """The formal process of a case (``formal``): its steps, outcome,
    sanction and appeal. HR advisers and decision-makers, and the people the
    process names on the case (investigator, hearing chair, appeal hearer:
    ``workflow.named_people``), each their own sight, never a delegate's. A
    disciplinary sanction and the grounds of an appeal are the employee's
    personal record: the referring manager and the panel see the case's
    stage (``formal``), not this."""

    @staticmethod
    def allows(user: Viewer, case: Case) -> bool:
        if case.destroyed_at is not None or not user.is_authenticated:
            return False
        if _roles(user) & {Role.HR, Role.DECISION_MAKER}:
            return True
        return user.pk in named_people().named_ids(case)

    @staticmethod
    def q(user: Viewer, prefix: str = "") -> Q:
        if not user.is_authenticated:
            return nothing(prefix)
        if _roles(user) & {Role.HR, Role.DECISION_MAKER}:
            return _live(prefix)
        return Q(named_people().named_q(user.pk, prefix)) & _live(prefix)


# --- what a page may print -------------------------------------------------------------


class Shown(enum.Flag):
    """Which groups of a case's fields a viewer may see."""

    MINIMUM = enum.auto()  # the reference and where the case is: anyone who may see it
    PEOPLE = enum.auto()  # whom it is about, who referred it, who sits on its panel
    DETAILS = enum.auto()  # the substance (DetailsVisible)
    ETHNICITY = enum.auto()  # special-category data (EthnicityVisible)


MINIMUM_FIELDS = frozenset(
    {
        "pk",
        "id",
        "reference",
        "stage",
        "get_stage_display",
        "outcome",
        "get_outcome_display",
        "is_open",
        "version",
        "process_id",
        "submitted_at",
        "updated_at",
        "closed_at",
        "formal_commissioned_at",
        "due_on",
    }
)
PEOPLE_FIELDS = frozenset(
    {"employee_name", "referring_manager", "referring_manager_id", "panels", "owner", "owner_id"}
)
ETHNICITY_FIELDS = frozenset(
    {"employee_ethnic_category", "get_employee_ethnic_category_display", "employee_wres_group"}
)
# Never through the guard: the employee's own record carries their ethnic
# category, and the events' reasons are shown through ``EventReasonVisible``
# (``CaseView.path``), not raw.
NEVER_FIELDS = frozenset({"employee", "events", "personal_data_accesses"})


class Withheld(AttributeError):
    """A field the viewer may not see. Templates print nothing for it (Django
    silences it); Python code that asks gets this error, never the value."""

    silent_variable_failure = True


class ShownCase:
    """A case as one viewer may see it: only the fields of the groups in ``shown``."""

    __slots__ = ("_case", "_shown")

    def __init__(self, case: Case, shown: Shown) -> None:
        self._case = case
        self._shown = shown

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if self.may(name):
            return getattr(self._case, name)
        raise Withheld(f"{name} is not shown to this viewer.")

    def may(self, name: str) -> bool:
        """Whether the field ``name`` is shown to this viewer."""
        if name in NEVER_FIELDS:
            return False
        if name in MINIMUM_FIELDS:
            return Shown.MINIMUM in self._shown
        if name in PEOPLE_FIELDS:
            return Shown.PEOPLE in self._shown
        if name in ETHNICITY_FIELDS:
            return Shown.ETHNICITY in self._shown
        return Shown.DETAILS in self._shown

    @property
    def details_shown(self) -> bool:
        return Shown.DETAILS in self._shown

    def __str__(self) -> str:
        return str(self._case.reference)

    def __eq__(self, other: object) -> bool:
        target = other._case if isinstance(other, ShownCase) else other
        return bool(self._case == target)

    def __hash__(self) -> int:
        return hash(self._case)


def shown_for(user: Viewer, case: Case) -> Shown:
    """The groups of ``case``'s fields ``user`` may see (none if not the case)."""
    if not CaseVisible.allows(user, case):
        return Shown(0)
    shown = Shown.MINIMUM | Shown.PEOPLE
    if DetailsVisible.allows(user, case):
        shown |= Shown.DETAILS
        if EthnicityVisible.allows(user, case):
            shown |= Shown.ETHNICITY
    return shown


class ShownRows(ModelIterable["Case"]):
    """A case list's rows as ``ShownCase``: the queryset is annotated with
    ``details_shown`` (``DetailsVisible.q``); a row without it shows no detail.
    A list never shows the ethnic category."""

    def __iter__(self) -> Iterator[Any]:  # ShownCase rows, where the queryset says Case
        for case in super().__iter__():
            shown = Shown.MINIMUM | Shown.PEOPLE
            if getattr(case, "details_shown", False) is True:
                shown |= Shown.DETAILS
            yield ShownCase(case, shown)


@dataclass(frozen=True)
class ShownEvent:
    """One event of a case's path as its viewer may read it."""

    id: int
    seq: int | None  # None while the event waits to be chained (audit.sequencing)
    at: dt.datetime
    actor: Actor | None
    action: str
    type_label: str
    from_stage: str
    to_stage: str
    reason: str
    payload: dict[str, Any]
    reason_withheld: bool
    # Whom the actor acted for (an out-of-office delegation), by name: the
    # path reads "by X for Y". Filled in by the selector that names people.
    on_behalf_of: str = ""


def shown_event(user: Viewer, event: AuditEvent) -> ShownEvent:
    """``event`` with its reason only where ``EventReasonVisible`` allows it."""
    allowed = EventReasonVisible.allows(user, event)
    return ShownEvent(
        id=event.pk,
        seq=event.seq,
        at=event.at,
        actor=event.actor,
        action=event.action,
        type_label=event.type_label,
        from_stage=event.from_stage,
        to_stage=event.to_stage,
        reason=event.reason if allowed else "",
        payload=dict(event.payload or {}),
        reason_withheld=not allowed and bool(event.reason),
    )
