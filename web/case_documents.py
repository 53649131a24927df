"""Case documents, at /cases/<id>/documents/: the documents a person may read,
newest first and a page at a time, with every version; for HR advisers on
the case and its owner, a form to upload a document and, under each, a form
to upload a new version. Each version downloads from
/cases/<id>/documents/<doc>/v<n>/ (``?preview=1``: PDFs and images shown in
the browser rather than saved).

Whoever may see the case opens the list (others get a 404); what it lists is
``casefile.selectors``' (``workflow.access.FileVisible``), so a referring
manager sees only documents for everyone on the case and a panel member yet
to declare sees none. A download anyone may not read is a 404, whether or
not it exists. Every download and preview is recorded before a byte is sent
(``casefile.services.document_open``); files stream from the storage,
never from a public path. A refused upload comes back with what was typed
and the reason, with status 400; nothing typed is lost but the file itself,
which a browser never re-sends.

The upload route alone accepts a request body up to the document limit
(``body_max_bytes``, read by ``config.middleware``); every other route keeps
the site's.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from accounts.types import as_actor
from casefile.models import NOTE_MAX, TITLE_MAX, DocumentKind
from casefile.selectors import documents_page
from casefile.services import (
    PREVIEWABLE,
    REFUSAL,
    document_add,
    document_open,
    document_version_add,
    max_document_bytes,
    may_add_documents,
)
from core.documents import ALLOWED_TEXT, size_text
from core.errors import DomainError, NotFound
from core.inputs import parse_query
from workflow.access import FileAudience
from workflow.selectors import CaseView

from .case_lookup import case_view_or_404
from .filters import CursorForm
from .forms import apply_domain_errors

PAGE_SIZE = 20
PREVIEW_SIZE = 5
# Room in the upload's request for the rest of the form (title, note, token).
FORM_ROOM_BYTES = 64 * 1024


def _file_help() -> str:
    return f"{ALLOWED_TEXT}; at most {size_text(max_document_bytes())}."


class DocumentForm(forms.Form):
    title = forms.CharField(
        label="Title",
        help_text="What it is, for example “Statement of the ward manager, 3 Nov”.",
        error_messages={"required": "Give the document a title."},
        widget=forms.TextInput(attrs={"maxlength": TITLE_MAX}),
    )
    kind = forms.ChoiceField(label="Kind of document", choices=DocumentKind.choices)
    audience = forms.ChoiceField(
        label="Who may read it",
        choices=FileAudience.choices,
        initial=FileAudience.HR,
        help_text="HR only unless the panel or everyone on the case needs it.",
    )
    file = forms.FileField(label="File", error_messages={"required": "Choose the file to upload."})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _file_help()


class VersionForm(forms.Form):
    """A new version of one document (prefixed by the document's id)."""

    note = forms.CharField(
        label="Why it is replaced",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=f"Up to {NOTE_MAX} characters. The earlier version stays on record.",
        error_messages={"required": "Say why the document is being replaced."},
    )
    file = forms.FileField(
        label="New version", error_messages={"required": "Choose the file to upload."}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _file_help()


def version_form(document_id: int, data: Any = None, files: Any = None) -> VersionForm:
    return VersionForm(data, files, prefix=f"v{document_id}")


def _case_view(request: HttpRequest, pk: int) -> CaseView:
    return case_view_or_404(request, pk)


def documents_preview(request: HttpRequest, view: CaseView) -> dict[str, Any]:
    """The case page's "Documents" section: the newest few its viewer may read."""
    if view.restricted:
        return {"page": None, "may_add": False}
    page = documents_page(request.user, view._case, cursor=None, size=PREVIEW_SIZE)
    return {"page": page, "may_add": may_add_documents(request.user, view._case)}


def _read(upload: Any) -> tuple[str, bytes]:
    """The upload's name and bytes: at most one byte more than allowed, which
    is enough to say it is too big (the request limit stops far bigger)."""
    return upload.name or "", upload.read(max_document_bytes() + 1)


def _document_id(text: str) -> int | None:
    """The document a new version is of; anything but a plain number is no document."""
    if not text:
        return None
    if not text.isdigit() or len(text) > 18:
        raise Http404("No such document on this case.")
    return int(text)


class CaseDocumentsView(LoginRequiredMixin, View):
    @staticmethod
    def body_max_bytes() -> int:
        """The upload's request limit (``config.middleware``): the document and the form."""
        return max(settings.DATA_UPLOAD_MAX_MEMORY_SIZE, max_document_bytes() + FORM_ROOM_BYTES)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        view = _case_view(request, pk)
        cursor = parse_query(CursorForm, request).cleaned_data["cursor"]
        return self._render(request, view, cursor=cursor)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        view = _case_view(request, pk)
        if not may_add_documents(request.user, view._case):
            raise PermissionDenied(REFUSAL)
        of = _document_id(request.POST.get("document", ""))
        form: forms.Form = (
            DocumentForm(request.POST, request.FILES)
            if of is None
            else version_form(of, request.POST, request.FILES)
        )
        if not form.is_valid():
            return self._render(request, view, form=form, of=of, status=400)
        try:
            done = self._save(request, pk, of, form.cleaned_data)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise Http404(exc.message) from exc
            apply_domain_errors(form, exc)
            return self._render(request, view, form=form, of=of, status=exc.status_code)
        messages.success(request, done)
        return HttpResponseRedirect(reverse("cases:case_documents", args=[pk]))

    def _save(self, request: HttpRequest, pk: int, of: int | None, data: dict[str, Any]) -> str:
        name, content = _read(data["file"])
        actor = as_actor(request.user)
        if of is None:
            document = document_add(
                case_id=pk,
                actor=actor,
                title=data["title"],
                kind=data["kind"],
                audience=data["audience"],
                name=name,
                data=content,
            )
            return f"Document uploaded. It is document {document.pk}."
        version = document_version_add(
            document_id=of, actor=actor, name=name, data=content, note=data["note"]
        )
        return f"Version {version.number} of document {of} uploaded; the earlier ones stay."

    def _render(
        self,
        request: HttpRequest,
        view: CaseView,
        *,
        cursor: Any = None,
        form: forms.Form | None = None,
        of: int | None = None,
        status: int = 200,
    ) -> HttpResponse:
        case = view._case
        may_add = not view.restricted and may_add_documents(request.user, case)
        rows: list[tuple[Any, VersionForm | None]] = []
        page = None
        if not view.restricted:
            page = documents_page(request.user, case, cursor=cursor, size=PAGE_SIZE)
            for document in page.rows:
                bound = form if of == document.pk and isinstance(form, VersionForm) else None
                rows.append((document, bound or (version_form(document.pk) if may_add else None)))
        context = {
            "view": view,
            "case": view.case,
            "title": f"Documents: {view.case.reference}",
            "page": page,
            "rows": rows,
            "may_add": may_add,
            "form": form if of is None and form is not None else DocumentForm(),
        }
        return render(request, "workflow/case_documents.html", context, status=status)


class DocumentDownloadView(LoginRequiredMixin, View):
    """One version of a document, streamed from the storage after it is recorded."""

    def get(self, request: HttpRequest, pk: int, doc: int, number: int) -> FileResponse:
        preview = request.GET.get("preview") == "1"
        try:
            version = document_open(
                actor=as_actor(request.user),
                case_id=pk,
                document_id=doc,
                number=number,
                preview=preview,
            )
        except NotFound as exc:
            raise Http404(exc.message) from exc
        inline = preview and version.content_type in PREVIEWABLE
        response = FileResponse(
            version.file.open("rb"),
            as_attachment=not inline,
            filename=version.name,
            content_type=version.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        # A previewed PDF is shown by the browser's viewer; it may run nothing of ours.
        response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
        return response
