"""A small fixed world for the permission matrix: one case at each point of the
flow, the people around them, and a distinctive marker string for every piece
of content the access rules guard.

Every case gets its own employee in its own department, and its own summary,
informal steps and members' view comments, so a page about (or a list
including) one case can be checked for another case's content. The panel case
has a mixed panel: the chair and one member cleared (views recorded), one
member who declared a conflict (stood down) and one yet to declare.

The world is built twice, once in each of two trusts (``build_worlds``): trust
A (RAL) with the markers above ("Qzx ..."), and an equivalent world in trust
B (RBX) whose every distinctive string carries "Bxq"/"BXQ" instead (its case
summaries, departments, employees' names and staff numbers, its references
through its own reference prefix), with B's people under usernames of their
own. A person with roles in both trusts (``BOTH``) stands in both. The
matrix runs A's people against A's world, then against B's object ids.

Cases are walked through the services, the only way a real case gets anywhere.
What each person is to each case (referrer, cleared member, ...) is written
down here as it is built: the matrix derives its expectations from these
facts and the stated policy, never from the product's rule functions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model

from accounts.models import Delegation
from accounts.roles import Role
from casefile.notes import note_add
from panels.services import panel_convene, panel_decision_record, panel_declare, panel_view_record
from staff.ethnicity import EthnicCategory
from staff.models import Employee
from workflow.models import Case
from workflow.services import (
    case_record_informal_outcome,
    case_signoff,
    case_triage,
    referral_submit,
)

from ..factories import (
    EmployeeFactory,
    OrgUnitFactory,
    in_pool,
    make_user,
    org_tree,
    referral_kwargs,
)

# An unusual category, so that its label appears nowhere else in the product.
ETHNIC = EthnicCategory.D
ETHNIC_LABEL = str(EthnicCategory.D.label)  # "Mixed - White and Black Caribbean"
# The API gives the code, not the label: its key with this value is the marker.
ETHNIC_JSON = f'"ethnic_category":"{ETHNIC.value}"'
CONFLICT_REASON = "Qzx conflict: I coached the employee in netball for years"

# Trust A's world is tagged Qzx, trust B's Bxq; the codes of the two trusts.
TAG_A, TAG_B = "Qzx", "Bxq"
TRUST_A, TRUST_B = "RAL", "RBX"
# A person holding the HR role in both trusts (username, the same user in both).
BOTH = "bo.both"

# The points of the flow the world holds, by key. "others" is a case another
# manager referred.
CASE_KEYS = ("submitted", "informal", "panel", "signoff", "formal", "closed", "others")

# The people: a key for each role or relation the matrix checks.
PEOPLE = (
    "anonymous",
    "manager",  # referred every case but "others"
    "other_manager",  # referred "others"
    "hr",
    "panel_cleared",  # chair on the panel case, declared no conflict
    "panel_undeclared",  # convened on the panel case, yet to declare
    "panel_conflict",  # declared a conflict on the panel case: stood down
    "panel_elsewhere",  # in the pool, convened on no case
    "director",  # decision-maker, on no panel
    "governance",
    "outsider",  # a login with no role
    "superuser",
)

# What each person may be to a case.
HR, DM, REFERRER, CLEARED, UNDECLARED, CONFLICTED, NONE = (
    "hr",
    "dm",
    "referrer",
    "cleared",
    "undeclared",
    "conflicted",
    "none",
)


def summary(key: str, tag: str = TAG_A) -> str:
    return f"{tag} summary of the {key} concern: raised voice at handover"


def informal_steps(key: str, tag: str = TAG_A) -> str:
    return f"{tag} informal steps for {key}: a quiet word"


def department(key: str, tag: str = TAG_A) -> str:
    return f"{tag} {key.title()} Ward"


def view_comment(key: str, who: str, tag: str = TAG_A) -> str:
    return f"{tag} view on {key} by {who}: needs weighing"


def concern_account(key: str, tag: str = TAG_A) -> str:
    """A Freedom to Speak Up concern's account: the guardians' alone."""
    return f"{tag} speak-up {key} account: a racist remark at the nurses' station"


def concern_reply_text(key: str, tag: str = TAG_A) -> str:
    return f"{tag} speak-up {key} reply: thank you for telling us"


def case_note(key: str, audience: str, tag: str = TAG_A) -> str:
    """A case note HR wrote on the case, for ``audience`` (casefile.notes)."""
    return f"{tag} {audience} note on {key}: the employee rang about the meeting"


def document_title(key: str, audience: str, tag: str = TAG_A) -> str:
    """The title of a document HR uploaded to the case, for ``audience`` (casefile)."""
    return f"{tag} {audience} document on {key}: statement of the ward sister"


def conflict_reason(tag: str) -> str:
    return CONFLICT_REASON.replace(TAG_A, tag, 1)


@dataclass
class WorldCase:
    key: str
    case: Case
    employee: Employee
    referrer: str  # a key of PEOPLE
    seats: dict[str, str] = field(default_factory=dict)  # person -> CLEARED/UNDECLARED/CONFLICTED
    views: dict[str, str] = field(default_factory=dict)  # person -> comment recorded
    conflict_reason: str = ""
    tag: str = TAG_A
    notes: dict[str, str] = field(default_factory=dict)  # audience -> the note HR wrote
    documents: dict[str, str] = field(default_factory=dict)  # audience -> a document's title
    document_ids: dict[str, int] = field(default_factory=dict)  # audience -> its id

    @property
    def pk(self) -> int:
        return int(self.case.pk)

    def markers(self) -> dict[str, list[str]]:
        """Every guarded piece of this case's content, by kind."""
        return {
            "concern": [summary(self.key, self.tag), informal_steps(self.key, self.tag)],
            "department": [department(self.key, self.tag)],
            "views": list(self.views.values()),
            "conflict": [self.conflict_reason] if self.conflict_reason else [],
            "ethnicity": [ETHNIC_LABEL, ETHNIC_JSON],
            # Case notes by audience: "hr" is HR's alone (casefile.notes).
            "case_note": [self.notes["case"]] if "case" in self.notes else [],
            "panel_note": [self.notes["panel"]] if "panel" in self.notes else [],
            "hr_note": [self.notes["hr"]] if "hr" in self.notes else [],
            # Case documents' titles by audience: "hr" is HR's alone (casefile).
            "case_document": [self.documents["case"]] if "case" in self.documents else [],
            "hr_document": [self.documents["hr"]] if "hr" in self.documents else [],
        }

    def relation(self, person: str) -> str:
        """What ``person`` is to this case, from the facts recorded while building it."""
        if person == "hr":
            return HR
        if person == "director":
            return DM
        if person == self.referrer:
            return REFERRER
        return self.seats.get(person, NONE)


@dataclass
class World:
    users: dict[str, Any]  # person key -> user (no entry for anonymous)
    cases: dict[str, WorldCase]
    notification_id: int  # one of the referring manager's notifications
    notification_owner: str
    trust: Any = None
    tag: str = TAG_A
    # The other trust's world (A's world holds B's, to check nothing of it leaks).
    other: World | None = None
    # Distinctive strings of this world beyond the markers (employees' names
    # and staff numbers, pool members' names, references): see leak_markers.
    extra: list[str] = field(default_factory=list)
    # Freedom to Speak Up (speakup/): "open" (raised openly by the referring
    # manager) and "anonymous", each with a guardian's reply; a guardian
    # (``users["guardian"]``, no matrix person) is the only role that sees them.
    concerns: dict[str, int] = field(default_factory=dict)
    # Self-assessment and action plans (assurance/): ids of a question, its
    # answer's evidence document and an action, made by HR (``_assurance``).
    assurance: dict[str, int] = field(default_factory=dict)
    # A meeting of the panel case's panel (panels.meetings), next week.
    meeting_id: int = 0
    # A meeting invitation letter on the panel case (letters.services), by HR.
    letter_id: int = 0

    def concern_markers(self) -> list[str]:
        """The concerns' accounts and replies: on no page for anyone but a
        guardian (and the open one's reporter, on their own concern's page)."""
        return [
            f(key, self.tag) for key in self.concerns for f in (concern_account, concern_reply_text)
        ]

    def leak_markers(self) -> list[str]:
        """Every string that names this world's cases or people and nothing
        in the other trust's world: what must never reach the other trust.
        The ethnic category's label is every case's, in both trusts: not here."""
        seen: list[str] = []
        for wc in self.cases.values():
            kinds = wc.markers()
            strings = [*kinds["concern"], *kinds["department"], *kinds["views"]]
            strings += [*kinds["conflict"], wc.case.reference, wc.employee.name]
            strings += [*kinds["case_note"], *kinds["panel_note"], *kinds["hr_note"]]
            strings += [*kinds["case_document"], *kinds["hr_document"]]
            strings.append(wc.employee.staff_number)
            seen.extend(s for s in strings if s not in seen)
        seen.extend(s for s in self.extra if s not in seen)
        return seen

    def all_markers(self) -> list[str]:
        seen: list[str] = []
        for wc in self.cases.values():
            for strings in wc.markers().values():
                seen.extend(s for s in strings if s not in seen)
        return seen


def _employee(key: str, icsu: Any, tag: str) -> Employee:
    unit = OrgUnitFactory.create(
        code=f"DEP-{tag.upper()}-{key.upper()}",
        name=department(key, tag),
        kind="department",
        parent=icsu,
    )
    extra: dict[str, Any] = {}
    if tag != TAG_A:  # A's keep the factory's names and numbers, as before
        extra = {"name": f"{tag} Worker {key.title()}", "staff_number": f"{tag.upper()}{key}"}
    employee: Employee = EmployeeFactory.create(
        **{"name": f"Employee {key.title()}", **extra},
        org_unit=unit,
        ethnic_category=ETHNIC.value,
    )
    return employee


def _submit(key: str, manager: Any, icsu: Any, tag: str) -> WorldCase:
    employee = _employee(key, icsu, tag)
    kwargs = referral_kwargs(
        employee, summary=summary(key, tag), informal_steps_tried=informal_steps(key, tag)
    )
    return WorldCase(
        key, referral_submit(actor=manager, **kwargs), employee, referrer="manager", tag=tag
    )


def _notes(wc: WorldCase, hr: Any) -> None:
    """HR's notes on the case, one for each audience (casefile.notes): the
    HR-only one must reach nobody but HR, on any page or export."""
    for audience in ("hr", "panel", "case"):
        text = case_note(wc.key, audience, wc.tag)
        note_add(case_id=wc.pk, actor=hr, text=text, audience=audience)
        wc.notes[audience] = text


def _documents(wc: WorldCase, hr: Any) -> None:
    """HR's documents on the case (casefile.services): one for everyone on
    the case, one HR-only whose title must reach nobody but HR."""
    from casefile.services import document_add

    for audience in ("hr", "case"):
        title = document_title(wc.key, audience, wc.tag)
        document = document_add(
            case_id=wc.pk,
            actor=hr,
            title=title,
            kind="statement",
            audience=audience,
            name="statement.txt",
            data=f"{wc.tag} the document's text".encode(),
        )
        wc.documents[audience] = title
        wc.document_ids[audience] = document.pk


def build_worlds() -> World:
    """Trust A's world (returned) and trust B's (its ``other``), each built
    inside its own trust, B's with a reference prefix of its own so that its
    references are distinctive. Call with database access, outside any
    trust or inside A."""
    from tenancy.context import trust_entered
    from tenancy.models import Trust
    from tenancy.services import trust_policy_change

    trust_a, _ = Trust.objects.get_or_create(code=TRUST_A, defaults={"name": "Royal Test Trust"})
    trust_b, _ = Trust.objects.get_or_create(code=TRUST_B, defaults={"name": "Other Test Trust"})
    trust_policy_change(trust_b, reference_prefix=TAG_B.upper())
    with trust_entered(trust_a):
        world = build_world(trust_a, TAG_A)
    with trust_entered(trust_b):
        other = build_world(trust_b, TAG_B, superuser=world.users["superuser"])
    # One user: B's build set their password again (user_add), so A's copy is stale.
    world.users["both"] = other.users["both"]
    world.other = other
    other.other = world
    return world


def build_world(trust: Any, tag: str = TAG_A, superuser: Any = None) -> World:
    """Every person and case of one trust, through the services, inside that
    trust. Call with database access. B's people (``tag`` not A's) have
    usernames of their own (users are the deployment's); the superuser is
    one for the deployment."""
    login = (lambda name: name) if tag == TAG_A else (lambda name: f"{tag.lower()}.{name}")
    tree = org_tree()
    surgery = OrgUnitFactory.create(
        code="ICSU-SUR", name="Surgery", kind="icsu", parent=tree["trust"]
    )
    amu = OrgUnitFactory.create(
        code="DEP-AMU", name="Acute Medical Unit", kind="department", parent=tree["icsu"]
    )
    theatres = OrgUnitFactory.create(
        code="DEP-THE", name="Theatres", kind="department", parent=surgery
    )
    users: dict[str, Any] = {
        "manager": make_user(login("maya.manager"), Role.MANAGER),
        "other_manager": make_user(login("omar.manager"), Role.MANAGER),
        "hr": make_user(login("hana.hr"), Role.HR),
        "panel_cleared": make_user(login("priya.panel"), Role.PANEL),
        "panel_b": make_user(login("paul.panel"), Role.PANEL),  # cleared too; not a matrix role
        "panel_undeclared": make_user(login("dev.panel"), Role.PANEL),
        "panel_conflict": make_user(login("pat.panel"), Role.PANEL),
        "panel_elsewhere": make_user(login("eve.panel"), Role.PANEL),
        "director": make_user(login("dina.director"), Role.DECISION_MAKER),
        "governance": make_user(login("gill.governance"), Role.GOVERNANCE),
        "outsider": make_user(login("olly.outsider")),
        "superuser": superuser
        or get_user_model().objects.create_superuser(
            "ada.admin", "ada@example.org", "pw-Cast-2026!"
        ),
        # HR in both trusts: the same user in A's world and B's.
        "both": make_user(BOTH, Role.HR),
    }
    if not users["both"].email:  # told by email too, for the digest test
        users["both"].email = "bo.both@example.org"
        users["both"].save(update_fields=["email"])
    # The pool meets the default rules for an employee in Medicine: chairs at
    # 8a+, trained independent members from Surgery, nobody in the department.
    in_pool(users["panel_cleared"], unit=amu, band="8a")
    in_pool(users["panel_b"], unit=theatres, band="8b", trained=True)
    in_pool(users["panel_undeclared"], unit=theatres, band="8a", trained=True)
    in_pool(users["panel_conflict"], unit=amu, band="8a")
    in_pool(users["panel_elsewhere"], unit=theatres, band="8a", trained=True)
    extra: list[str] = []
    if tag != TAG_A:
        # Pool members' own employee records: names of B's only.
        for person in ("panel_cleared", "panel_b", "panel_undeclared", "panel_conflict"):
            name = f"{tag} Pool {person.title().replace('_', '')}"
            Employee.objects.filter(user=users[person]).update(name=name)
            extra.append(name)
        extra.append(f"{tag} Pool PanelElsewhere")
        Employee.objects.filter(user=users["panel_elsewhere"]).update(name=extra[-1])
    hr, manager, chair = users["hr"], users["manager"], users["panel_cleared"]
    icsu = tree["icsu"]

    cases: dict[str, WorldCase] = {}
    cases["submitted"] = _submit("submitted", manager, icsu, tag)
    others = _submit("others", users["other_manager"], icsu, tag)
    others.referrer = "other_manager"
    cases["others"] = others

    informal = _submit("informal", manager, icsu, tag)
    case_triage(case_id=informal.pk, actor=hr, route="informal")
    cases["informal"] = informal

    closed = _submit("closed", manager, icsu, tag)
    case_triage(case_id=closed.pk, actor=hr, route="informal")
    case_record_informal_outcome(
        case_id=closed.pk, actor=manager, resolved=True, actions="Facilitated conversation."
    )
    cases["closed"] = closed

    # The panel case: chair and paul cleared with views; pat declares a
    # conflict (stood down); dev is yet to declare.
    panel = _submit("panel", manager, icsu, tag)
    case_triage(case_id=panel.pk, actor=hr, route="panel", reason="A pattern of concerns.")
    seated = ["panel_cleared", "panel_b", "panel_conflict", "panel_undeclared"]
    panel_convene(case_id=panel.pk, actor=hr, members=[users[p].pk for p in seated], chair=chair.pk)
    panel_declare(
        case_id=panel.pk,
        actor=users["panel_conflict"],
        no_conflict=False,
        reason=conflict_reason(tag),
    )
    panel.conflict_reason = conflict_reason(tag)
    panel.seats = {"panel_conflict": CONFLICTED, "panel_undeclared": UNDECLARED}
    for person in ("panel_cleared", "panel_b"):
        panel_declare(case_id=panel.pk, actor=users[person], no_conflict=True)
        comment = view_comment("panel", person, tag)
        panel_view_record(
            case_id=panel.pk, actor=users[person], outcome="formal_investigation", comment=comment
        )
        panel.seats[person] = CLEARED
        panel.views[person] = comment
    _notes(panel, hr)
    _voice(panel, hr, link=True)
    meeting_id = _meeting(panel, hr, users["panel_cleared"])
    cases["panel"] = panel

    for key in ("signoff", "formal"):
        wc = _submit(key, manager, icsu, tag)
        case_triage(case_id=wc.pk, actor=hr, route="panel", reason="A pattern of concerns.")
        seated = ["panel_cleared", "panel_b", "panel_undeclared"]
        panel_convene(
            case_id=wc.pk, actor=hr, members=[users[p].pk for p in seated], chair=chair.pk
        )
        for person in seated:
            panel_declare(case_id=wc.pk, actor=users[person], no_conflict=True)
            comment = view_comment(key, person, tag)
            panel_view_record(
                case_id=wc.pk, actor=users[person], outcome="formal_investigation", comment=comment
            )
            wc.seats[person] = CLEARED
            wc.views[person] = comment
        _voice(wc, hr)
        panel_decision_record(
            case_id=wc.pk,
            actor=chair,
            outcome="formal_investigation",
            rationale="The panel weighed the evidence and the guide.",
        )
        if key == "formal":
            case_signoff(
                case_id=wc.pk,
                actor=users["director"],
                approve=True,
                reason="Proportionate to the concern.",
            )
        cases[key] = wc

    _suspension(cases["informal"], hr, users["director"])
    _checkin(cases["informal"], hr)
    for wc in cases.values():
        _documents(wc, hr)
        wc.case = Case.objects.get(pk=wc.pk)
    letter_id = _letter(cases["panel"], hr)
    from notifications.models import Notification

    mine = Notification.objects.filter(recipient=manager).order_by("pk").first()
    # Reference data the reports read: a headcount and a historical entry
    # on each case's department (White British: the world's marked category,
    # Mixed White and Black Caribbean, is a person's and must stay off lists).
    from reports.models import Headcount, HistoricalEntry

    march = dt.date(dt.date.today().year - 1, 3, 31)
    for wc in cases.values():
        unit = wc.employee.org_unit
        Headcount.objects.create(as_at=march, org_unit=unit, ethnic_category="A", headcount=7)
        HistoricalEntry.objects.create(date=march, org_unit=unit, ethnic_category="A", entered=1)
    # One referral from before the product, as import_referral_history stores
    # it: the employee's org unit and category copied from their record.
    from django.utils import timezone

    from reports.models import ReferralHistory

    referred = cases["submitted"].employee
    ReferralHistory.objects.create(
        referred_on=march,
        manager=cases["others"].employee,
        employee=referred,
        entered_formal=False,
        org_unit=referred.org_unit,
        ethnic_category=referred.ethnic_category,
        imported_at=timezone.now(),
    )
    # An early-warning alert the quarterly run recorded (reports.early_warning_alerts).
    from reports.models import EarlyWarningAlert

    EarlyWarningAlert.objects.create(
        quarter_end=march,
        level="department",
        key=referred.org_unit.code,
        window_months=24,
        n=1,
        bme=1,
        expected=None,
        p_value=0.0,
        recorded_at=timezone.now(),
    )
    # The nightly early-warning snapshots the page opens on
    # (reports.early_warning_snapshot), with the referring manager in them.
    from reports.early_warning_snapshot import early_warning_nightly_run

    early_warning_nightly_run(timezone.localdate())
    # An out-of-office delegation long ended (accounts.Delegation): a row of
    # the trust's for the isolation test, giving nobody anything now.
    Delegation.objects.create(
        person=manager,
        delegate=users["other_manager"],
        starts_on=dt.date(2020, 1, 6),
        ends_on=dt.date(2020, 1, 10),
        created_by=manager,
        created_at=timezone.now(),
    )
    assurance = _assurance(users, tree["icsu"], tag)
    concerns = _speak_up(users, login, tag)
    return World(
        users=users,
        cases=cases,
        notification_id=mine.pk if mine is not None else 999_999,
        notification_owner="manager",
        trust=trust,
        tag=tag,
        extra=[
            *extra,
            *(f(k, tag) for k in concerns for f in (concern_account, concern_reply_text)),
            assurance_words(tag),
            assurance_action_title(tag),
        ],
        concerns=concerns,
        assurance=assurance,
        meeting_id=meeting_id,
        letter_id=letter_id,
    )


def _suspension(wc: WorldCase, hr: Any, director: Any) -> None:
    """A restriction of duties on the informal case, reviewed once and
    continued (suspensions/): the register's rows, HR's and independent
    decision-makers' only. It stays active, so HR may review or lift it there."""
    from django.utils import timezone

    from suspensions.services import suspension_record, suspension_review

    today = timezone.localdate()
    suspension_record(
        case_id=wc.pk,
        actor=hr,
        kind="restriction",
        reason=f"{wc.tag} restricted to non-clinical duties meanwhile.",
        decided_by=director.pk,
        started_on=today,
    )
    suspension_review(
        case_id=wc.pk, actor=hr, reviewed_on=today, decision="continue", reason="Still needed."
    )


def _voice(wc: WorldCase, hr: Any, *, link: bool = False) -> None:
    """The employee's voice (voice/): told of the referral and their account
    typed from a meeting, before the panel decides (the default policy needs
    it); on the panel case also a link issued to them, still open."""
    from django.utils import timezone

    from voice.services import account_link_issue, account_record, employee_told_record

    today = timezone.localdate()
    employee_told_record(case_id=wc.pk, actor=hr, told_on=today, method="in_person")
    account_record(
        case_id=wc.pk,
        actor=hr,
        source="meeting",
        text=f"{wc.tag} employee's own account of the {wc.key} case.",
        meeting_on=today,
    )
    if link:
        account_link_issue(case_id=wc.pk, actor=hr)


def _checkin(wc: WorldCase, hr: Any) -> None:
    """A wellbeing check-in on the informal case (wellbeing/): HR and the
    named contact (HR, its owner) read it; its notes never leave that rule."""
    from django.utils import timezone

    from wellbeing.services import checkin_record

    checkin_record(
        case_id=wc.pk,
        actor=hr,
        held_on=timezone.localdate(),
        how="phone",
        notes=f"{wc.tag} check-in: coping, offered occupational health.",
    )


def _letter(wc: WorldCase, hr: Any) -> int:
    """HR's meeting invitation letter on the case (a PDF in its file, HR only),
    so that the letters table holds a row in each trust."""
    from letters.services import letter_generate

    letter = letter_generate(
        case_id=wc.pk,
        actor=hr,
        kind="meeting_invitation",
        meeting_date=dt.date.today() + dt.timedelta(days=7),
        meeting_time=dt.time(10, 0),
        meeting_place="Room 1",
    )
    return int(letter.pk)


def _meeting(panel: WorldCase, hr: Any, member: Any) -> int:
    """A meeting of the panel case's panel next week, with one attendance row
    (written directly: the meeting is still to come), so that both meeting
    tables hold rows in each trust."""
    from django.utils import timezone

    from panels.meetings import meeting_schedule
    from panels.models import MeetingAttendance

    starts = timezone.now().replace(microsecond=0) + dt.timedelta(days=7)
    meeting = meeting_schedule(
        case_id=panel.pk,
        actor=hr,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        place="Board room 2",
        video_link="",
    )
    MeetingAttendance.objects.create(
        meeting=meeting, user=member, attended=True, recorded_by=hr, recorded_at=starts
    )
    return meeting.pk


def assurance_words(tag: str) -> str:
    return f"{tag} Qzx self-assessment question"


def assurance_action_title(tag: str) -> str:
    return f"{tag} Qzx action title"


def _assurance(users: dict[str, Any], icsu: Any, tag: str) -> dict[str, int]:
    """A question with an answer carrying a document, and an action (assurance/)."""
    from assurance.documents import document_check
    from assurance.plans import ActionFields, action_add
    from assurance.quarters import Quarter
    from assurance.services import answer_save, question_add

    hr = users["hr"]
    question = question_add(actor=hr, question_set="wres3", text=assurance_words(tag))
    answer = answer_save(
        actor=hr,
        question_id=question.pk,
        org_unit_id=icsu.pk,
        quarter=Quarter(dt.date.today().year - 1, 1),
        rating="partly",
        evidence="Qzx evidence",
        owner_id=users["director"].pk,
        document=document_check(name="evidence.txt", data=b"Qzx evidence document"),
    )
    action = action_add(
        actor=hr,
        data=ActionFields(
            title=assurance_action_title(tag),
            owner_id=users["director"].pk,
            due_on=dt.date.today() - dt.timedelta(days=1),
            committee="People Committee",
            org_unit_id=icsu.pk,
            indicator="wres3",
        ),
    )
    assert answer.document_id is not None
    return {
        "question": question.pk,
        "document": answer.document_id,
        "action": action.pk,
        "unit": icsu.pk,
        "year": answer.year,
    }


def _speak_up(users: dict[str, Any], login: Any, tag: str) -> dict[str, int]:
    """Two concerns raised with the trust's guardian, each replied to."""
    from speakup.services import concern_raise, concern_reply

    users["guardian"] = guardian = make_user(login("gia.guardian"), Role.FTSU_GUARDIAN)
    out: dict[str, int] = {}
    for key, reporter in (("open", users["manager"]), ("anonymous", None)):
        raised = concern_raise(
            reporter=reporter, route=key, topic="racism", account=concern_account(key, tag)
        )
        concern_reply(
            concern_id=raised.concern.pk,
            actor=guardian,
            body=concern_reply_text(key, tag),
            signed=False,
        )
        out[key] = raised.concern.pk
    return out


def referral_form(world: World) -> dict[str, Any]:
    """A valid referral, for posting as people who may not refer."""
    body = referral_kwargs(world.cases["submitted"].employee)
    body["incident_date"] = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    return body
