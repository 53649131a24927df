"""Freedom to Speak Up, at /speak-up/ (docs/speak-up.md).

* ``/speak-up/``: raise a concern. Anyone signed in with a role of the trust
  (every member of staff) chooses openly, confidentially or anonymously;
  anyone not signed in may raise one anonymously, for the trust of the host
  name, or the trust they pick on the page (carried in the address, never
  in a session). An anonymous concern is shown its case key and passphrase
  once, on the answer to the post.
* ``/speak-up/mine/``: a signed-in reporter's open and confidential concerns,
  and each one's messages with a reply box.
* ``/speak-up/follow-up/``: case key and passphrase (posted, never in an
  address) → that one concern's messages and a reply box. Each post checks
  them again: no session, no login, nothing else opened.
* ``/speak-up/concerns/``: the guardians' casework (``Role.FTSU_GUARDIAN``
  only; everyone else 403 before anything is read).

Posts that raise or follow up a concern are marked untraced
(``core.untraced``): their log line names no user and no session is written
for them, whichever route was chosen (so the log does not tell which).
Every page about a concern is sent ``Cache-Control: no-store``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views import View
from viewflow.urls import Application

from accounts.lockout import client_ip
from accounts.trusts import host_trust_id, request_trust_enter
from accounts.types import as_actor
from core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from core.inputs import QueryForm, parse_query, refuse_control_characters
from core.paging import CursorField
from core.untraced import request_untraced
from speakup import selectors
from speakup.access import Casework, KeyHolder
from speakup.models import CATEGORIES, ProfessionalGroup, Route, Topic
from speakup.services import (
    ACCOUNT_MAX_LENGTH,
    CASEWORK_REFUSAL,
    MESSAGE_MAX_LENGTH,
    concern_acknowledge,
    concern_categorise,
    concern_close,
    concern_raise,
    concern_reply,
    followup_open,
    may_raise_named,
    reporter_reply,
)
from staff.ethnicity import EthnicCategory
from tenancy.models import Trust

from .forms import apply_domain_errors

PAGE_SIZE = 25
TRUST_PARAM = "trust"


def _no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, " + response["Cache-Control"]
    return response


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return _no_store(render(request, f"speakup/{template}", context, status=status))


# --- which trust a visitor speaks up to -------------------------------------------------


def visitor_trust(request: HttpRequest) -> Trust | None:
    """The trust the request speaks up to: the one the person acts for, else
    the host name's, else the one picked on the page (``?trust=CODE`` or the
    form's hidden field). Entered for the rest of the request. None: ask."""
    trust_id = getattr(request, "trust_id", None)
    if trust_id is None:
        trust_id = host_trust_id(request.get_host())
    if trust_id is None:
        code = (request.POST.get(TRUST_PARAM) or request.GET.get(TRUST_PARAM) or "").strip()
        if code and code.isascii() and code.isalnum() and len(code) <= 16:
            trust_id = Trust.objects.filter(code=code.upper()).values_list("pk", flat=True).first()
    if trust_id is None:
        return None
    if getattr(request, "trust_id", None) != trust_id:
        request_trust_enter(request, trust_id)
    return Trust.objects.filter(pk=trust_id).first()


def _choose_trust(request: HttpRequest, title: str, status: int = 200) -> HttpResponse:
    trusts = Trust.objects.order_by("name")
    return _page(request, "choose_trust.html", {"title": title, "trusts": trusts}, status=status)


# --- forms -------------------------------------------------------------------------------


def _choices(pairs: Any, blank: str) -> list[tuple[str, str]]:
    return [("", blank), *[(v, str(label)) for v, label in pairs]]


class RaiseForm(forms.Form):
    route = forms.ChoiceField(
        label="How do you want to raise it?",
        choices=Route.choices,
        widget=forms.RadioSelect,
        help_text=(
            "Anonymously, you get a case key and a passphrase to read the guardians' "
            "replies; nobody, not even the guardians, can tell who you are. Keep them "
            "safe: if you lose them, nobody can let you back in."
        ),
    )
    topic = forms.ChoiceField(
        label="What is it about?", choices=Topic.choices, widget=forms.RadioSelect
    )
    account = forms.CharField(
        label="What happened?",
        max_length=ACCOUNT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Only the Freedom to Speak Up guardians read this.",
        validators=[refuse_control_characters],
    )
    org_unit = forms.TypedChoiceField(
        label="Department or ICSU", required=False, coerce=int, empty_value=None
    )
    professional_group = forms.ChoiceField(
        label="Your professional group",
        required=False,
        choices=_choices(ProfessionalGroup.choices, "Rather not say"),
    )
    ethnic_category = forms.ChoiceField(
        label="Your ethnic group, as you describe yourself",
        required=False,
        choices=_choices(EthnicCategory.choices, "Rather not say"),
        help_text="Used only for the trust's anonymised figures on who speaks up.",
    )

    def __init__(self, *args: Any, named: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not named:
            route = self.fields["route"]
            route.choices = [(Route.ANONYMOUS.value, Route.ANONYMOUS.label)]  # type: ignore[attr-defined]
            route.initial = Route.ANONYMOUS.value
        units = selectors.org_units().values_list("pk", "name", "kind")
        self.fields["org_unit"].choices = [  # type: ignore[attr-defined]
            ("", "Rather not say"),
            *[
                (pk, f"{name} ({'ICSU' if kind == 'icsu' else 'department'})")
                for pk, name, kind in units
            ],
        ]


class FollowUpForm(forms.Form):
    case_key = forms.CharField(
        label="Case key", max_length=40, validators=[refuse_control_characters]
    )
    passphrase = forms.CharField(
        label="Passphrase",
        max_length=60,
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "off"}),
        validators=[refuse_control_characters],
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Your message",
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[refuse_control_characters],
    )


class GuardianReplyForm(MessageForm):
    signed = forms.BooleanField(
        label="Sign with my name",
        required=False,
        help_text="Unsigned, the reply says only 'a guardian'.",
    )


class CloseForm(forms.Form):
    feedback = forms.CharField(
        label="Feedback to the reporter",
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What was done, as far as you can say: the last message they read.",
        validators=[refuse_control_characters],
    )
    signed = forms.BooleanField(label="Sign with my name", required=False)


class CategoriseForm(forms.Form):
    professional_group = forms.ChoiceField(
        label="Professional group",
        required=False,
        choices=_choices(ProfessionalGroup.choices, "Not known"),
    )
    org_unit = forms.TypedChoiceField(
        label="Department or ICSU", required=False, coerce=int, empty_value=None
    )
    ethnic_category = forms.ChoiceField(
        label="Ethnic category (as the reporter described it)",
        required=False,
        choices=_choices(EthnicCategory.choices, "Not known"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in CATEGORIES:
            self.fields[name] = forms.BooleanField(label=label, required=False)
        units = selectors.org_units().values_list("pk", "name")
        self.fields["org_unit"].choices = [("", "Not known"), *units]  # type: ignore[attr-defined]


class CaseworkFilterForm(QueryForm):
    status = forms.ChoiceField(required=False, choices=_choices(selectors.STATUSES, "Any"))
    overdue = forms.BooleanField(required=False, label="Overdue acknowledgement only")
    route = forms.ChoiceField(required=False, choices=_choices(Route.choices, "Any"))
    topic = forms.ChoiceField(required=False, choices=_choices(Topic.choices, "Any"))
    cursor = CursorField()

    def filters(self) -> selectors.Filters:
        data = self.cleaned_data
        return selectors.Filters(
            status=data.get("status") or "",
            overdue=bool(data.get("overdue")),
            route=data.get("route") or "",
            topic=data.get("topic") or "",
        )


class CursorOnlyForm(QueryForm):
    cursor = CursorField()


# --- raising a concern -------------------------------------------------------------------

RAISE_TITLE = "Speak up"


class RaiseView(View):
    """The form, for anyone; the key and passphrase shown once on the answer."""

    def get(self, request: HttpRequest) -> HttpResponse:
        trust = visitor_trust(request)
        if trust is None:
            return _choose_trust(request, RAISE_TITLE)
        named = may_raise_named(request.user)
        return self._form(request, trust, RaiseForm(named=named), named)

    def post(self, request: HttpRequest) -> HttpResponse:
        # Whatever the route, so the request log does not tell which was chosen.
        request_untraced(request)
        trust = visitor_trust(request)
        if trust is None:
            return _choose_trust(request, RAISE_TITLE, status=400)
        named = may_raise_named(request.user)
        form = RaiseForm(request.POST, named=named)
        if not form.is_valid():
            return self._form(request, trust, form, named, status=400)
        data = form.cleaned_data
        anonymous = data["route"] == Route.ANONYMOUS
        try:
            raised = concern_raise(
                reporter=None if anonymous else as_actor(request.user),
                route=data["route"],
                topic=data["topic"],
                account=data["account"],
                org_unit_id=data.get("org_unit"),
                professional_group=data.get("professional_group") or "",
                ethnic_category=data.get("ethnic_category") or "",
            )
        except (ValidationFailed, NotAllowed) as exc:
            apply_domain_errors(form, exc)
            return self._form(request, trust, form, named, status=400)
        context = {"title": "Your concern was raised", "raised": raised, "trust": trust}
        return _page(request, "raised.html", context)

    def _form(
        self, request: HttpRequest, trust: Trust, form: RaiseForm, named: bool, status: int = 200
    ) -> HttpResponse:
        context = {
            "title": RAISE_TITLE,
            "form": form,
            "trust": trust,
            "named": named,
            # Carried for a visitor who picked the trust on the page.
            "trust_param": trust.code if getattr(request, "trust_id", None) is None else "",
        }
        return _page(request, "raise.html", context, status=status)


# --- the reporter's view -----------------------------------------------------------------


class MineView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = parse_query(CursorOnlyForm, request)
        page = selectors.mine_page(
            request.user, cursor=form.cleaned_data.get("cursor"), size=PAGE_SIZE
        )
        return _page(request, "mine.html", {"title": "My concerns", "page": page})


class MineDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._show(request, pk, MessageForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = MessageForm(request.POST)
        if not form.is_valid():
            return self._show(request, pk, form, status=400)
        try:
            reporter_reply(viewer=request.user, concern_id=pk, body=form.cleaned_data["body"])
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except (ValidationFailed, Conflict) as exc:
            apply_domain_errors(form, exc)
            return self._show(
                request, pk, form, status=400 if isinstance(exc, ValidationFailed) else 409
            )
        return HttpResponseRedirect(reverse("speakup:mine_detail", args=[pk]))

    def _show(
        self, request: HttpRequest, pk: int, form: MessageForm, status: int = 200
    ) -> HttpResponse:
        try:
            thread = selectors.mine_get(request.user, pk)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        context = {"title": "My concern", "thread": thread, "form": form, "as_reporter": True}
        return _page(request, "mine_detail.html", context, status=status)


class FollowUpView(View):
    """Case key and passphrase, posted; each post checks them again."""

    TITLE = "Follow up an anonymous concern"

    def get(self, request: HttpRequest) -> HttpResponse:
        trust = visitor_trust(request)
        if trust is None:
            return _choose_trust(request, self.TITLE)
        return self._key_form(request, trust, FollowUpForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        request_untraced(request)
        trust = visitor_trust(request)
        if trust is None:
            return _choose_trust(request, self.TITLE, status=400)
        form = FollowUpForm(request.POST)
        if not form.is_valid():
            return self._key_form(request, trust, form, status=400)
        try:
            holder = followup_open(
                case_key=form.cleaned_data["case_key"],
                passphrase=form.cleaned_data["passphrase"],
                address=client_ip(request),
            )
        except (NotFound, NotAllowed) as exc:
            form.add_error(None, exc.message)
            return self._key_form(
                request, trust, form, status=429 if isinstance(exc, NotAllowed) else 400
            )
        reply = MessageForm(request.POST) if "body" in request.POST else MessageForm()
        status = 200
        if "body" in request.POST:
            status = self._reply(holder, reply)
            if status == 200:
                reply = MessageForm()
        context = {
            "title": self.TITLE,
            "thread": selectors.keyholder_get(holder),
            "form": reply,
            "key_form": form,
            "trust": trust,
            "trust_param": trust.code if getattr(request, "trust_id", None) is None else "",
            "sent": status == 200 and "body" in request.POST,
        }
        return _page(request, "followup_thread.html", context, status=status)

    def _reply(self, holder: KeyHolder, reply: MessageForm) -> int:
        if not reply.is_valid():
            return 400
        try:
            reporter_reply(
                viewer=holder, concern_id=holder.concern_id, body=reply.cleaned_data["body"]
            )
        except (ValidationFailed, Conflict) as exc:
            apply_domain_errors(reply, exc)
            return 400 if isinstance(exc, ValidationFailed) else 409
        return 200

    def _key_form(
        self, request: HttpRequest, trust: Trust, form: FollowUpForm, status: int = 200
    ) -> HttpResponse:
        context = {
            "title": self.TITLE,
            "key_form": form,
            "trust": trust,
            "trust_param": trust.code if getattr(request, "trust_id", None) is None else "",
        }
        return _page(request, "followup.html", context, status=status)


# --- the guardians' casework -------------------------------------------------------------


class _GuardiansOnly(LoginRequiredMixin, View):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not Casework.allows(request.user):
            raise PermissionDenied(CASEWORK_REFUSAL)
        try:
            return super().dispatch(request, *args, **kwargs)
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except NotFound as exc:
            raise Http404(exc.message) from exc


class CaseworkListView(_GuardiansOnly):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = parse_query(CaseworkFilterForm, request)
        today = timezone.localdate()
        page = selectors.casework_page(
            request.user,
            form.filters(),
            today=today,
            cursor=form.cleaned_data.get("cursor"),
            size=PAGE_SIZE,
        )
        query = request.GET.copy()
        query.pop("cursor", None)
        context = {
            "title": "Concerns",
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "today": today,
        }
        return _page(request, "casework_list.html", context)


class CaseworkDetailView(_GuardiansOnly):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return casework_detail(request, pk)


def casework_detail(
    request: HttpRequest,
    pk: int,
    *,
    forms_in: dict[str, forms.Form] | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    thread = selectors.casework_get(request.user, pk)
    concern = thread.concern
    initial = {name: getattr(concern, name) for name, _ in CATEGORIES}
    initial |= {
        "professional_group": concern.professional_group,
        "org_unit": concern.org_unit_id,
        "ethnic_category": concern.ethnic_category,
    }
    given = forms_in or {}
    context = {
        "title": f"Concern {concern.pk}",
        "thread": thread,
        "concern": concern,
        "categories": [label for name, label in CATEGORIES if getattr(concern, name)],
        "categorise_form": given.get("categorise") or CategoriseForm(initial=initial),
        "reply_form": given.get("reply") or GuardianReplyForm(),
        "close_form": given.get("close") or CloseForm(),
        "notice": notice,
        "overdue": (
            concern.acknowledged_at is None
            and concern.closed_at is None
            and concern.acknowledge_by is not None
            and concern.acknowledge_by < timezone.localdate()
        ),
    }
    return _page(request, "casework_detail.html", context, status=status)


class CaseworkActionView(_GuardiansOnly):
    """One action on a concern, posted from its page; GET is 405."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        handler = {
            "acknowledge": self._acknowledge,
            "categorise": self._categorise,
            "reply": self._reply,
            "close": self._close,
        }.get(action)
        if handler is None:
            raise Http404("No such action.")
        selectors.casework_get(request.user, pk)  # refused or 404 before any write
        form, act = handler(request, pk)
        if form is not None and not form.is_valid():
            return casework_detail(request, pk, forms_in={action: form}, status=400)
        try:
            act()
        except ValidationFailed as exc:
            if form is None:
                return casework_detail(request, pk, notice=exc.message, status=400)
            apply_domain_errors(form, exc)
            return casework_detail(request, pk, forms_in={action: form}, status=400)
        except Conflict as exc:
            return casework_detail(request, pk, notice=exc.message, status=409)
        return HttpResponseRedirect(reverse("speakup:concern", args=[pk]))

    def _acknowledge(self, request: HttpRequest, pk: int) -> tuple[forms.Form | None, Any]:
        actor = as_actor(request.user)
        return None, lambda: concern_acknowledge(concern_id=pk, actor=actor)

    def _categorise(self, request: HttpRequest, pk: int) -> tuple[forms.Form | None, Any]:
        form = CategoriseForm(request.POST)

        def act() -> None:
            data = form.cleaned_data
            concern_categorise(
                concern_id=pk,
                actor=as_actor(request.user),
                categories={name: bool(data.get(name)) for name, _ in CATEGORIES},
                professional_group=data.get("professional_group") or "",
                org_unit_id=data.get("org_unit"),
                ethnic_category=data.get("ethnic_category") or "",
            )

        return form, act

    def _reply(self, request: HttpRequest, pk: int) -> tuple[forms.Form | None, Any]:
        form = GuardianReplyForm(request.POST)

        def act() -> None:
            data = form.cleaned_data
            concern_reply(
                concern_id=pk,
                actor=as_actor(request.user),
                body=data["body"],
                signed=data["signed"],
            )

        return form, act

    def _close(self, request: HttpRequest, pk: int) -> tuple[forms.Form | None, Any]:
        form = CloseForm(request.POST)

        def act() -> None:
            data = form.cleaned_data
            concern_close(
                concern_id=pk,
                actor=as_actor(request.user),
                feedback=data["feedback"],
                signed=data["signed"],
            )

        return form, act


# --- the app -----------------------------------------------------------------------------


# viewflow is untyped (pyproject's list of such subclasses does not name this module).
class SpeakUpApp(Application):
    """Freedom to Speak Up, at /speak-up/ in the product's viewflow Site.
    Open to everyone at the door: each view decides (speaking up needs no login)."""

    title = "Speak up"
    icon = "record_voice_over"
    app_name = "speak-up"
    namespace = "speakup"
    menu_template_name = "workflow/menu.html"
    permission = staticmethod(lambda user: True)

    index_path = path("", RaiseView.as_view(), name="index")
    mine_path = path("mine/", MineView.as_view(), name="mine")
    mine_detail_path = path("mine/<int:pk>/", MineDetailView.as_view(), name="mine_detail")
    followup_path = path("follow-up/", FollowUpView.as_view(), name="follow_up")
    concerns_path = path("concerns/", CaseworkListView.as_view(), name="concerns")
    concern_path = path("concerns/<int:pk>/", CaseworkDetailView.as_view(), name="concern")
    action_path = path(
        "concerns/<int:pk>/<slug:action>/", CaseworkActionView.as_view(), name="concern_action"
    )
