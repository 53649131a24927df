"""Each trust's policy: made from the environment's settings with the trust,
checked as settings.py checks them, read through ``trust_policy()`` by every
rule, kept apart between trusts, and edited in the admin (docs/tenancy.md)."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.roles import Role
from core.working_days import REGIONS, add_working_days, working_days_before
from notifications.models import Kind
from notifications.services.deadlines import notice_dates
from panels.rules import BANDS, CaseFacts, Member, PanelRule, PanelRules, composition_errors
from records.retention import RetentionClass
from tenancy import policy_values
from tenancy.context import trust_entered
from tenancy.models import Trust, TrustPolicy
from tenancy.policy import (
    DEFAULT_SETTINGS,
    policy_defaults,
    policy_forget,
    sso_role_map,
    trust_policy,
)
from tenancy.services import trust_add, trust_policy_change
from workflow.deadlines import due_on_for, step_limit

from ..policy import policy_set

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


# --- the lists tenancy keeps of its own equal their sources --------------------------


def test_the_lists_tenancy_keeps_equal_those_of_the_apps_above() -> None:
    assert list(policy_values.BANDS) == BANDS
    assert set(policy_values.STEPS) == set(settings.FTP_STEP_TIME_LIMITS)
    assert set(policy_values.RETENTION_CLASSES) == {c.value for c in RetentionClass}
    # A provider's group may give every role: a sign-in takes away any role
    # the map cannot give, so a role left out would be lost at each sign-in.
    assert set(policy_values.SSO_ROLES) == {r.value for r in Role}
    assert tuple(policy_values.BANK_HOLIDAY_REGIONS) == REGIONS
    assert set(DEFAULT_SETTINGS) == {
        f.name for f in TrustPolicy._meta.concrete_fields if f.name not in ("trust", "updated_at")
    }


# --- a new trust starts from the environment's settings ------------------------------


def test_a_new_trust_starts_from_the_environment_settings() -> None:
    with override_settings(
        FTP_PANEL_MIN_MEMBERS=2,
        FTP_PANEL_MAX_MEMBERS=4,
        FTP_REFERENCE_PREFIX="NEW",
        FTP_BANK_HOLIDAY_REGION="SCT",
        FTP_OIDC_ROLE_MAP={"g-hr": frozenset({"hr", "manager"})},
    ):
        trust = trust_add(code="RNW", name="New Trust")
    policy = TrustPolicy.objects.get(trust=trust)
    assert (policy.panel_min_members, policy.panel_max_members) == (2, 4)
    assert policy.reference_prefix == "NEW"
    assert policy.bank_holiday_region == "SCT"
    assert policy.sso_role_map == {"g-hr": ["hr", "manager"]}
    assert sso_role_map(trust) == {"g-hr": frozenset({"hr", "manager"})}
    # Later changes to the environment leave an existing trust's policy alone.
    with override_settings(FTP_REFERENCE_PREFIX="LATER"):
        assert trust_policy(trust).reference_prefix == "NEW"


def test_the_defaults_are_the_settings_as_the_policy_holds_them() -> None:
    defaults = policy_defaults()
    for field, name in DEFAULT_SETTINGS.items():
        if field == "sso_role_map":
            continue
        assert defaults[field] == getattr(settings, name), field


# --- validation: what settings.py refuses, the policy refuses ------------------------


def _settings_would_accept(mn: int, mx: int, ind: int, out: int, net: int) -> bool:
    """config/settings.py's checks of the panel sizes (env_int's minimums
    included), written out again as the oracle."""
    return (
        mn >= 1
        and mx >= 1
        and min(ind, out, net) >= 0
        and mx >= mn
        and all(n <= mx for n in (ind, out, net))
    )


@hypothesis_settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    mn=st.integers(-1, 7),
    mx=st.integers(-1, 7),
    ind=st.integers(-1, 7),
    out=st.integers(-1, 7),
    net=st.integers(-1, 7),
)
def test_panel_sizes_are_refused_exactly_when_settings_would_refuse_them(
    trust: Trust, mn: int, mx: int, ind: int, out: int, net: int
) -> None:
    policy = TrustPolicy.objects.get(trust=trust)
    policy.panel_min_members = mn
    policy.panel_max_members = mx
    policy.panel_min_independent = ind
    policy.panel_min_outside_icsu = out
    policy.panel_min_network = net
    try:
        policy.full_clean()
    except ValidationError:
        accepted = False
    else:
        accepted = True
    assert accepted == _settings_would_accept(mn, mx, ind, out, net)


def _errors(**values: Any) -> dict[str, list[str]]:
    policy = trust_policy()
    policy = TrustPolicy.objects.get(pk=policy.pk)
    for name, value in values.items():
        setattr(policy, name, value)
    try:
        policy.full_clean()
    except ValidationError as error:
        return error.message_dict
    return {}


STEPS = dict.fromkeys(policy_values.STEPS, 5)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"panel_chair_min_band": "8e"}, "panel_chair_min_band"),
        ({"panel_quorum": -1}, "panel_quorum"),
        ({"step_time_limits": {**STEPS, "triage": 0}}, "step_time_limits"),
        ({"step_time_limits": {**STEPS, "triage": "5"}}, "step_time_limits"),
        ({"step_time_limits": {**STEPS, "triage": True}}, "step_time_limits"),
        (
            {"step_time_limits": {k: v for k, v in STEPS.items() if k != "decide"}},
            "step_time_limits",
        ),
        ({"step_time_limits": {**STEPS, "triag": 5}}, "step_time_limits"),
        ({"step_time_limits": [5, 5]}, "step_time_limits"),
        ({"retention_years": {"no_formal": 6}}, "retention_years"),
        ({"retention_years": {"no_formal": 6, "formal": 0}}, "retention_years"),
        (
            {"escalate_decision_maker_after_working_days": 0},
            "escalate_decision_maker_after_working_days",
        ),
        ({"reminder_working_days_before": -1}, "reminder_working_days_before"),
        ({"bank_holiday_region": "XYZ"}, "bank_holiday_region"),
        ({"report_suppression_threshold": 0}, "report_suppression_threshold"),
        ({"wres_window": 3}, "wres_window"),
        ({"reference_prefix": "ftp"}, "reference_prefix"),
        ({"reference_prefix": "A B"}, "reference_prefix"),
        ({"reference_prefix": "-FTP"}, "reference_prefix"),
        ({"reference_prefix": "X" * 17}, "reference_prefix"),
        ({"sso_role_map": {"g-hr": ["hr", "admin"]}}, "sso_role_map"),
        ({"sso_role_map": {"g-hr": []}}, "sso_role_map"),
        ({"sso_role_map": {"g-hr": "hr"}}, "sso_role_map"),
        ({"sso_role_map": {" ": ["hr"]}}, "sso_role_map"),
        ({"sso_role_map": ["hr"]}, "sso_role_map"),
    ],
)
def test_each_value_out_of_bounds_is_refused_on_its_field(
    values: dict[str, Any], field: str
) -> None:
    assert set(_errors(**values)) == {field}


def test_the_policy_given_as_settings_is_valid_and_so_are_other_good_values() -> None:
    assert _errors() == {}
    assert (
        _errors(
            panel_chair_min_band="7",
            reference_prefix="RAL-FTP",
            bank_holiday_region="NIR",
            sso_role_map={"g-hr": ["hr"], "g-panel": ["panel", "manager"]},
            wres_window=1,
            panel_quorum=0,
        )
        == {}
    )


def test_a_refused_change_leaves_the_policy_as_it_was(trust: Trust) -> None:
    before = trust_policy().panel_max_members
    with pytest.raises(ValidationError):
        trust_policy_change(trust, panel_max_members=1)
    assert TrustPolicy.objects.get(trust=trust).panel_max_members == before
    assert trust_policy().panel_max_members == before
    with pytest.raises(TypeError):
        trust_policy_change(trust, trust_id=9)


# --- the rules read through trust_policy() agree with the same values as settings -----


@st.composite
def environments(draw: Any) -> dict[str, Any]:
    """Values config/settings.py accepts, as settings."""
    mn = draw(st.integers(1, 6))
    mx = draw(st.integers(mn, 8))
    return {
        "FTP_PANEL_MIN_MEMBERS": mn,
        "FTP_PANEL_MAX_MEMBERS": mx,
        "FTP_PANEL_MIN_INDEPENDENT": draw(st.integers(0, mx)),
        "FTP_PANEL_MIN_OUTSIDE_ICSU": draw(st.integers(0, mx)),
        "FTP_PANEL_MIN_NETWORK": draw(st.integers(0, mx)),
        "FTP_PANEL_CHAIR_MIN_BAND": draw(st.sampled_from(BANDS)),
        "FTP_PANEL_QUORUM": draw(st.integers(0, 8)),
        "FTP_REFERENCE_PREFIX": draw(st.from_regex(r"[A-Z][A-Z0-9]{0,5}", fullmatch=True)),
        "FTP_STEP_TIME_LIMITS": {s: draw(st.integers(1, 40)) for s in policy_values.STEPS},
        "FTP_REMINDER_WORKING_DAYS_BEFORE": draw(st.integers(0, 10)),
        "FTP_ESCALATE_DECISION_MAKER_AFTER_WORKING_DAYS": draw(st.integers(1, 10)),
        "FTP_BANK_HOLIDAY_REGION": draw(st.sampled_from(REGIONS)),
        "FTP_REPORT_SUPPRESSION_THRESHOLD": draw(st.integers(1, 20)),
        "FTP_WRES_WINDOW": draw(st.sampled_from([1, 2])),
        "FTP_RETENTION_YEARS": {
            c: draw(st.integers(1, 30)) for c in policy_values.RETENTION_CLASSES
        },
        "FTP_SAR_NAME_STAFF_IN_ROLE": draw(st.booleans()),
        "FTP_OIDC_ROLE_MAP": draw(
            st.dictionaries(
                st.from_regex(r"g-[a-z]{1,8}", fullmatch=True),
                st.frozensets(st.sampled_from(policy_values.SSO_ROLES), min_size=1),
                max_size=3,
            )
        ),
    }


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(env=environments(), entered=st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31)))
def test_the_rules_read_through_the_policy_agree_with_the_same_values_as_settings(
    env: dict[str, Any], entered: dt.date
) -> None:
    with transaction.atomic():
        with override_settings(**env):
            trust = trust_add(code="RHY", name="Hypothesis Trust")
        with trust_entered(trust):
            policy = trust_policy()
            region = env["FTP_BANK_HOLIDAY_REGION"]
            # The panel rules, as PanelRules.from_settings built them.
            assert PanelRules.current() == PanelRules(
                min_members=env["FTP_PANEL_MIN_MEMBERS"],
                max_members=env["FTP_PANEL_MAX_MEMBERS"],
                min_independent=env["FTP_PANEL_MIN_INDEPENDENT"],
                min_outside_icsu=env["FTP_PANEL_MIN_OUTSIDE_ICSU"],
                min_network=env["FTP_PANEL_MIN_NETWORK"],
                chair_min_band=env["FTP_PANEL_CHAIR_MIN_BAND"],
                quorum=env["FTP_PANEL_QUORUM"],
            )
            # Time limits, due dates and the stage limits settings.py derived.
            limits = env["FTP_STEP_TIME_LIMITS"]
            at = dt.datetime.combine(entered, dt.time(10), tzinfo=LONDON)
            for step, days in limits.items():
                assert step_limit(step) == days
                assert due_on_for(step, at) == add_working_days(entered, days, region)
            assert policy.stage_time_limits == {
                "submitted": limits["triage"],
                "informal": limits["informal"],
                "panel": limits["convene"] + limits["decide"],
                "signoff": limits["signoff"],
            }
            # Reminders and escalation.
            due = add_working_days(entered, limits["triage"], region)
            reminder = working_days_before(due, env["FTP_REMINDER_WORKING_DAYS_BEFORE"], region)
            assert notice_dates(entered_on=entered, due_on=due) == {
                Kind.REMINDER: max(reminder, entered),
                Kind.OVERDUE_HR: due,
                Kind.OVERDUE_DECISION_MAKER: add_working_days(
                    due, env["FTP_ESCALATE_DECISION_MAKER_AFTER_WORKING_DAYS"], region
                ),
            }
            # Retention, subject access, reports, references and SSO.
            for cls in RetentionClass:
                assert cls.years == env["FTP_RETENTION_YEARS"][cls.value]
            assert policy.sar_name_staff_in_role == env["FTP_SAR_NAME_STAFF_IN_ROLE"]
            assert policy.report_suppression_threshold == env["FTP_REPORT_SUPPRESSION_THRESHOLD"]
            assert policy.wres_window == env["FTP_WRES_WINDOW"]
            assert policy.reference_prefix == env["FTP_REFERENCE_PREFIX"]
            assert sso_role_map() == env["FTP_OIDC_ROLE_MAP"]
        transaction.set_rollback(True)


# --- two trusts, one run: each its own rules ---------------------------------------


def _panel_of_two() -> tuple[list[Member], CaseFacts]:
    case = CaseFacts(
        referrer_id=1,
        employee_id=1,
        unit_id=1,
        icsu_id=1,
        managers=frozenset(),
        today=dt.date(2026, 6, 1),
    )
    chair = Member(
        user_id=10,
        name="A",
        employee_id=10,
        unit_id=2,
        icsu_id=2,
        band="8a",
        independent_until=dt.date(2027, 1, 1),
    )
    other = Member(user_id=11, name="B", employee_id=11, unit_id=3, icsu_id=3, band="6")
    return [chair, other], case


def test_two_trusts_keep_their_own_panel_size_time_limits_and_prefix(
    trust: Trust, other_trust: Trust
) -> None:
    policy_set(trust, reference_prefix="RAL", panel_min_members=3)
    policy_set(
        other_trust,
        reference_prefix="RBX",
        panel_min_members=2,
        step_time_limits={**trust_policy().step_time_limits, "triage": 1},
        bank_holiday_region="SCT",
    )
    policy_set(trust, step_time_limits={**trust_policy().step_time_limits, "triage": 1})
    members, case = _panel_of_two()
    # Friday 27 November 2026, triage one working day: Monday 30th is St
    # Andrew's Day, a bank holiday in Scotland only.
    friday = dt.datetime(2026, 11, 27, 10, tzinfo=LONDON)
    from workflow.services.referrals import _next_reference

    seen: dict[str, Any] = {}
    for each in (trust, other_trust, trust):
        with trust_entered(each):
            rules = PanelRules.current()
            seen[each.code] = (
                {r.rule for r in composition_errors(members, 10, case, rules)},
                due_on_for("triage", friday),
                _next_reference(2026).rsplit("-", 2)[0],
            )
    assert seen["RAL"] == ({PanelRule.SIZE}, dt.date(2026, 11, 30), "RAL")
    assert seen["RBX"] == (set(), dt.date(2026, 12, 1), "RBX")


# --- one read per trust per request; a save is seen at once ------------------------


def test_the_policy_is_read_once_and_a_save_is_seen_at_once(client: Any, trust: Trust) -> None:
    policy_forget()
    with CaptureQueriesContext(connection) as first:
        trust_policy()
    assert len(first) == 1
    with CaptureQueriesContext(connection) as again:
        for _ in range(5):
            trust_policy()
            PanelRules.current()
    assert len(again) == 0
    policy_set(trust, panel_quorum=2)
    assert trust_policy().panel_quorum == 2
    # Another process's save (here: a raw update) is seen from its next request.
    TrustPolicy.objects.filter(trust=trust).update(panel_quorum=3)
    assert trust_policy().panel_quorum == 2
    client.get("/admin/login/")  # a request ends: what it read is dropped
    assert trust_policy().panel_quorum == 3


def test_no_policy_is_guessed_outside_a_trust() -> None:
    from tenancy.context import NoTrustEntered

    with trust_entered(None), pytest.raises(NoTrustEntered):
        trust_policy()


def test_a_trust_without_a_policy_row_gets_the_defaults_on_first_read(trust: Trust) -> None:
    TrustPolicy.objects.filter(trust=trust).delete()
    assert trust_policy().panel_max_members == settings.FTP_PANEL_MAX_MEMBERS
    assert TrustPolicy.objects.filter(trust=trust).count() == 1


# --- the admin -------------------------------------------------------------------


def _change_form(client: Any, trust: Trust) -> tuple[str, dict[str, Any]]:
    url = f"/admin/tenancy/trust/{trust.pk}/change/"
    response = client.get(url)
    assert response.status_code == 200
    data: dict[str, Any] = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        data[name] = "on" if value is True else ("" if value is None or value is False else value)
    [inline] = response.context["inline_admin_formsets"]
    formset = inline.formset
    for key, value in formset.management_form.initial.items():
        data[f"{formset.prefix}-{key}"] = value
    [policy_form] = formset.forms
    for name, field in policy_form.fields.items():
        value = policy_form.initial.get(name, field.initial)
        if isinstance(value, dict | list):
            value = json.dumps(value)
        if value is True:
            value = "on"
        elif value is None or value is False:
            continue
        data[policy_form.add_prefix(name)] = value
    return url, data


def test_the_admin_edits_a_trust_policy_and_shows_its_errors_on_the_fields(
    client: Any, admin_user: Any, trust: Trust
) -> None:
    client.force_login(admin_user)
    url, data = _change_form(client, trust)
    prefix = "policy-0-"
    bad = {
        **data,
        prefix + "panel_max_members": "2",
        prefix + "panel_min_members": "3",
        prefix + "step_time_limits": json.dumps({**STEPS, "triage": 0}),
        prefix + "sso_role_map": json.dumps({"g-hr": ["admin"]}),
    }
    response = client.post(url, bad)
    assert response.status_code == 200
    [inline] = response.context["inline_admin_formsets"]
    errors = inline.formset.forms[0].errors
    assert set(errors) >= {"panel_max_members", "step_time_limits", "sso_role_map"}
    assert "below the minimum" in str(errors["panel_max_members"])
    assert TrustPolicy.objects.get(trust=trust).panel_max_members == settings.FTP_PANEL_MAX_MEMBERS

    good = {**data, prefix + "reference_prefix": "RAL", prefix + "bank_holiday_region": "WLS"}
    response = client.post(url, good)
    assert response.status_code == 302, [
        (f.prefix, f.errors) for f in response.context["inline_admin_formsets"][0].formset.forms
    ] + [response.context["adminform"].form.errors]
    assert (trust_policy().reference_prefix, trust_policy().bank_holiday_region) == ("RAL", "WLS")


def test_a_trust_added_in_the_admin_starts_from_the_defaults(client: Any, admin_user: Any) -> None:
    client.force_login(admin_user)
    response = client.get("/admin/tenancy/trust/add/")
    assert response.status_code == 200
    [inline] = response.context["inline_admin_formsets"]
    initial = inline.formset.forms[0].initial
    assert initial["reference_prefix"] == settings.FTP_REFERENCE_PREFIX
    assert initial["step_time_limits"] == dict(settings.FTP_STEP_TIME_LIMITS)
    body = response.content.decode()
    assert re.search(
        rf'name="policy-0-panel_min_members"[^>]*value="{settings.FTP_PANEL_MIN_MEMBERS}"', body
    )
    form: dict[str, Any] = {
        "code": "RNA",
        "name": "Added Trust",
        "host": "",
        "policy-TOTAL_FORMS": "1",
        "policy-INITIAL_FORMS": "0",
        "policy-MIN_NUM_FORMS": "1",
        "policy-MAX_NUM_FORMS": "1",
    }
    for name, value in policy_defaults().items():
        if isinstance(value, dict | list):
            value = json.dumps(value)
        if value is True:
            value = "on"
        elif value is False:
            continue
        form[f"policy-0-{name}"] = value
    form["policy-0-panel_quorum"] = "2"
    response = client.post("/admin/tenancy/trust/add/", form)
    assert response.status_code == 302
    added = Trust.objects.get(code="RNA")
    assert trust_policy(added).panel_quorum == 2
    assert trust_policy(added).reference_prefix == settings.FTP_REFERENCE_PREFIX
    assert timezone.now() - TrustPolicy.objects.get(trust=added).updated_at < dt.timedelta(
        minutes=1
    )
