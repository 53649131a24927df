"""The JSON API. Views shape requests and call the same services as the web UI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import Role, has_role
from core.errors import NotAllowed, NotFound
from core.paging import keyset_page
from panels.services import panel_suggest
from workflow import services
from workflow.rules import Action
from workflow.selectors import (
    CASE_LIST_DEFAULT_SORT,
    CASE_LIST_SORTS,
    case_get_for,
    case_list_for,
    case_search,
)
from workflow.services import ACTION_SERVICES
from workflow.services.referrals import AlreadySubmitted

from . import formal as f
from . import panels as p
from . import serializers as s
from . import suspensions as susp
from . import voice as v
from . import wellbeing as w
from .errors import ErrorSerializer, ValidationErrorSerializer
from .parsers import JSONParser
from .trusts import api_trust_enter

ERRORS: dict[int, Any] = {
    400: ValidationErrorSerializer,
    401: ErrorSerializer,
    403: ErrorSerializer,
    404: ErrorSerializer,
    409: ErrorSerializer,
}
# Request limits: a body over FTP_REQUEST_BODY_MAX_MB is refused with 413
# before it is read (config.middleware), in the same {"detail": ...} shape.
ERRORS_WITH_BODY: dict[int, Any] = {**ERRORS, 413: ErrorSerializer}


def _case_response(request: Request, case_id: int, status: int = 200) -> Response:
    view = case_get_for(request.user, case_id, channel="api")
    return Response(s.CaseOut(s.case_out(view)).data, status=status)


class ApiView(APIView):
    # Until settings name it as the default parser, every view names it here.
    parser_classes = [JSONParser]

    def perform_authentication(self, request: Request) -> None:
        super().perform_authentication(request)
        # A token's holder acts for their trust from here on (api/trusts.py).
        api_trust_enter(request)


PAGE_SIZE = 25


def _page_link(request: Request, cursor: str | None) -> str | None:
    """The list's address with this page's cursor in place of any other,
    keeping the filters; None when there is no such page."""
    if cursor is None:
        return None
    query = request.query_params.copy()
    query["cursor"] = cursor
    link: str = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return link


class ReferralListView(ApiView):
    @extend_schema(
        parameters=[s.ReferralFilter],
        responses={200: s.CasePageOut, **ERRORS},
        operation_id="v1_referrals_list",
        summary="Cases you may see, newest first",
        tags=["referrals"],
    )
    def get(self, request: Request) -> Response:
        # A plain dict, not the QueryDict: DRF reads an empty value in a QueryDict
        # as "not given", so ?stage= would silently list every stage.
        filters = s.ReferralFilter(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        params = dict(filters.validated_data)
        cursor = params.pop("cursor", None)
        search = params.pop("q", "")
        sort = params.pop("sort", None) or CASE_LIST_DEFAULT_SORT
        cases = case_list_for(request.user, sort=sort, **params)
        # The web list's search (workflow.selectors.case_search): a narrowing of
        # what the caller may see, or close matches by name when nothing contains it.
        found = case_search(request.user, cases, search) if search else None
        # Keyset pages (core.paging): no count of every visible case, and a
        # late page costs what the first does. The links carry the cursor.
        page = keyset_page(
            found.cases if found is not None else cases,
            order=CASE_LIST_SORTS[sort],
            cursor=cursor,
            size=PAGE_SIZE,
        )
        return Response(
            {
                "next": _page_link(request, page.older),
                "previous": _page_link(request, page.newer),
                "results": s.CaseSummaryOut(page.rows, many=True).data,
                "close_matches": bool(found and found.close),
            }
        )

    @extend_schema(
        request=s.ReferralCreateRequest,
        responses={201: s.CaseOut, 200: s.CaseOut, **ERRORS_WITH_BODY},
        summary="Submit a proposed referral (referring managers)",
        tags=["referrals"],
    )
    def post(self, request: Request) -> Response:
        body = s.ReferralCreateRequest(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        data["just_culture"] = dict(data.get("just_culture") or {})
        try:
            case = services.referral_submit(actor=request.user, **data)
        except AlreadySubmitted as exc:  # a retry: the first answer again, nothing new
            return _case_response(request, exc.case.pk, status=200)
        return _case_response(request, case.pk, status=201)


class ReferralDetailView(ApiView):
    @extend_schema(
        responses={200: s.CaseOut, **ERRORS},
        summary="One case, with the actions you may take now",
        tags=["referrals"],
    )
    def get(self, request: Request, pk: int) -> Response:
        return _case_response(request, pk)


class ReferralPathView(ApiView):
    @extend_schema(
        responses={200: s.AuditEventOut(many=True), **ERRORS},
        summary="The case's audit events in order (HR and decision-makers)",
        tags=["referrals"],
    )
    def get(self, request: Request, pk: int) -> Response:
        # The path shows no ethnicity, so no special-category view is recorded.
        view = case_get_for(request.user, pk, channel="api", shows_ethnicity=False)
        if not has_role(request.user, Role.HR, Role.DECISION_MAKER):
            raise NotAllowed("Only HR advisers and decision-makers can see a case's path.")
        # Each reason as access.EventReasonVisible allows (a conflict's: HR only).
        return Response(s.AuditEventOut(s.path_out(view), many=True).data)


# Each action's request body and the schema's summary of it; the service it
# calls is the engine's (``workflow.services.ACTION_SERVICES``), the same one
# the web form calls. suggest_panel is the GET ``PanelSuggestionView`` below.
ACTIONS: dict[Action, tuple[type[serializers.Serializer], str]] = {
    Action.TRIAGE: (s.TriageRequest, "HR triages a submitted referral"),
    Action.RESUBMIT: (s.ResubmitRequest, "The referring manager resubmits a returned referral"),
    Action.RECORD_INFORMAL_OUTCOME: (
        s.InformalOutcomeRequest,
        "Record the informal stage's actions and outcome",
    ),
    Action.RECORD_EMPLOYEE_TOLD: (
        v.EmployeeToldRequest,
        "HR records that the employee was told of the referral (again: a correction)",
    ),
    Action.ISSUE_ACCOUNT_LINK: (
        v.AccountLinkRequest,
        "HR issues the employee a single-use link for their account, emailed to their "
        "address on record (the raw link is never in this answer), or withdraws it",
    ),
    Action.RECORD_ACCOUNT: (
        v.AccountRecordRequest,
        "HR adds the employee's account, typed from a meeting or uploaded (base64)",
    ),
    Action.CONVENE_PANEL: (
        s.ConveneRequest,
        "HR convenes the panel; every panel rule applies (400 names each rule broken)",
    ),
    Action.REPLACE_MEMBERS: (
        p.ReplaceMembersRequest,
        "HR replaces members who stood down after declaring a conflict (and the chair)",
    ),
    Action.DECLARE: (
        p.DeclareRequest,
        "A panel member declares no conflict of interest, or a conflict (stands them down)",
    ),
    Action.RECORD_VIEW: (
        p.ViewRequest,
        "A panel member who declared no conflict records their view",
    ),
    Action.DECIDE: (
        s.DecideRequest,
        "The chair records the decision, once the quorum of views is in",
    ),
    Action.SIGNOFF: (
        s.SignoffRequest,
        "A decision-maker approves or declines formal investigation",
    ),
    Action.SET_WELLBEING_CONTACT: (
        w.WellbeingContactRequest,
        "HR names another wellbeing contact for the employee (not the referring manager)",
    ),
    Action.RECORD_CHECKIN: (
        w.CheckInRequest,
        "HR or the wellbeing contact records a check-in with the employee",
    ),
    Action.WITHDRAW: (s.WithdrawRequest, "Withdraw before formal"),
    # The suspension register (suspensions/): HR records, reviews and lifts.
    Action.RECORD_SUSPENSION: (
        susp.RecordSuspensionRequest,
        "HR records a suspension, restriction or redeployment a decision-maker decided",
    ),
    Action.REVIEW_SUSPENSION: (
        susp.ReviewSuspensionRequest,
        "HR records a review of the active suspension: continue or lift",
    ),
    Action.LIFT_SUSPENSION: (susp.LiftSuspensionRequest, "HR lifts the active suspension"),
    # The formal process after sign-off (formal/): HR records each step.
    Action.NAME_INVESTIGATOR: (
        f.NameInvestigatorRequest,
        "HR names the investigator (400 names each independence rule broken)",
    ),
    Action.RECORD_INVESTIGATION_OUTCOME: (
        f.InvestigationOutcomeRequest,
        "HR records the investigation's outcome; no case or informal action concludes",
    ),
    Action.SCHEDULE_HEARING: (
        f.ScheduleHearingRequest,
        "HR arranges the disciplinary hearing and its chair (not previously involved)",
    ),
    Action.RECORD_HEARING_OUTCOME: (
        f.HearingOutcomeRequest,
        "HR records the hearing: when held, companion, sanction",
    ),
    Action.LODGE_APPEAL: (
        f.LodgeAppealRequest,
        "HR records an appeal and who hears it (nobody previously involved)",
    ),
    Action.RECORD_APPEAL_OUTCOME: (
        f.AppealOutcomeRequest,
        "HR records the appeal's outcome; the formal process concludes",
    ),
    Action.CONCLUDE_FORMAL: (
        f.ConcludeFormalRequest,
        "HR concludes the formal process after a sanction not appealed",
    ),
}


class PanelSuggestionView(ApiView):
    """``suggest_panel`` is the one action that changes nothing, so it is a GET
    here rather than a POST under ``actions/``. It is still a service call:
    checked like every action (HR only, while a panel is to be convened or a
    seat filled) and audited, since it reads the whole pool's conflicts and
    availability. It leaves the case's version alone."""

    @extend_schema(
        responses={200: p.SuggestionOut, **ERRORS},
        summary="A suggested panel meeting every rule, and why each pool member is in or out",
        tags=["actions"],
    )
    def get(self, request: Request, pk: int) -> Response:
        suggestion = panel_suggest(case_id=pk, actor=request.user)
        return Response(p.SuggestionOut(p.suggestion_out(suggestion)).data)


def action_view(action: Action) -> Callable[..., Any]:
    """A view for one action, so the schema documents each action's own body."""
    request_serializer, summary = ACTIONS[action]

    class ActionView(ApiView):
        @extend_schema(
            request=request_serializer,
            responses={200: s.CaseOut, **ERRORS_WITH_BODY},
            summary=summary,
            operation_id=f"referrals_action_{action.value}",
            tags=["actions"],
        )
        def post(self, request: Request, pk: int) -> Response:
            body = request_serializer(data=request.data)
            body.is_valid(raise_exception=True)
            ACTION_SERVICES[action](case_id=pk, actor=request.user, **body.validated_data)
            return _case_response(request, pk)

    ActionView.__name__ = ActionView.__qualname__ = f"{action.value.title()}ActionView"
    view: Callable[..., Any] = ActionView.as_view()  # DRF ships no types: declared here
    return view


@csrf_exempt
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any other path under /api/, for any method: a JSON 404.

    Exempt from CSRF because it changes nothing: otherwise a POST to a
    mistyped path (``/referrals/abc/actions/triage/``) is refused first by
    Django's CSRF check, with an HTML 403 page.
    """
    return JsonResponse({"detail": "Not found."}, status=404)


class UnknownActionView(ApiView):
    @extend_schema(exclude=True)
    def post(self, request: Request, pk: int, action: str) -> Response:
        raise NotFound(
            f"No action called {action!r}. Actions: {', '.join(a.value for a in ACTIONS)}."
        )
