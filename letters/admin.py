"""The trust's letter templates and letterhead, edited in the admin.

There is one template per kind and one letterhead per trust, made with the
trust (``letters.seed``): the admin changes them and never adds or deletes
one. Every list and page is the current trust's only (the models'
``TrustManager``, and row-level security under it). Saving goes through
``letters.services``, which checks the placeholders again and writes the
audit event (the old and new wording's hashes). "Preview" renders the saved
template against a made-up case (``letters.context.SAMPLE_CASE``) as the
PDF a letter would be: no real case's data is read.

The admin lets in staff logins only; of those, the trust's HR advisers and
the deployment's administrators see these pages (``may_edit_letters``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from tenancy.context import current_trust_id
from wellbeing.selectors import support_lines

from .compose import letter_bytes
from .context import sample_values
from .logo import LOGO_MAX_BYTES, LogoRefused, logo_check
from .models import Letterhead, LetterTemplate
from .placeholders import allowed
from .seed import letterhead_current
from .services import LETTERHEAD_FIELDS, letter_template_change, letterhead_change, may_edit_letters


def pdf_download(data: bytes, filename: str) -> HttpResponse:
    """A PDF as a download that no cache keeps and no browser sniffs."""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class _TrustLettersAdmin(admin.ModelAdmin[Any]):
    """Seeded rows, changed in place: no add, no delete; HR and administrators only."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_edit_letters(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_edit_letters(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_edit_letters(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LetterTemplateForm(forms.ModelForm[LetterTemplate]):
    class Meta:
        model = LetterTemplate
        fields = ["title", "subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 24, "cols": 100})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            names = ", ".join(f"{{{name}}}" for name in allowed(self.instance.kind))
            self.fields["body"].help_text = (
                "Plain text: a blank line between paragraphs. Placeholders this letter may "
                f"use: {names}. It must end with {{support}}."
            )


@admin.register(LetterTemplate)
class LetterTemplateAdmin(_TrustLettersAdmin):
    form = LetterTemplateForm
    list_display = ["title", "kind", "updated_at", "updated_by"]
    fields = [
        "kind",
        "title",
        "subject",
        "body",
        "placeholders",
        "preview",
        "updated_by",
        "updated_at",
    ]
    readonly_fields = ["kind", "placeholders", "preview", "updated_by", "updated_at"]

    @admin.display(description="placeholders")
    def placeholders(self, obj: LetterTemplate) -> Any:
        rows = format_html_join(
            "",
            "<li><code>{}</code>: {}</li>",
            ((f"{{{n}}}", w) for n, w in allowed(obj.kind).items()),
        )
        return format_html("<ul>{}</ul>", rows)

    @admin.display(description="preview")
    def preview(self, obj: LetterTemplate) -> Any:
        if obj.pk is None:
            return "—"
        url = reverse("admin:letters_lettertemplate_preview", args=[obj.pk])
        return format_html(
            '<a href="{}">Preview the saved wording as a PDF</a> (a made-up case)', url
        )

    def save_model(
        self, request: HttpRequest, obj: LetterTemplate, form: Any, change: bool
    ) -> None:
        # Through the service: the same checks, and the audit event.
        letter_template_change(
            template_id=obj.pk,
            actor=request.user,  # type: ignore[arg-type]
            title=form.cleaned_data["title"],
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
        )
        obj.refresh_from_db()

    def get_urls(self) -> list[Any]:
        preview = path(
            "<path:object_id>/preview/",
            self.admin_site.admin_view(self.preview_view),
            name="letters_lettertemplate_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.has_view_permission(request):
            raise Http404
        template = self.get_object(request, object_id)
        if template is None:
            raise Http404("No such letter template.")
        letterhead = letterhead_current()
        values = sample_values(template.kind, letterhead, timezone.localdate())
        return pdf_download(
            letter_bytes(template, values, letterhead, support=support_lines()),
            f"preview-{template.kind}.pdf",
        )


class LetterheadForm(forms.ModelForm[Letterhead]):
    logo_upload = forms.FileField(
        label="new logo",
        required=False,
        help_text="A PNG or JPEG image of at most 512 KB, printed top right on every letter.",
    )
    logo_remove = forms.BooleanField(label="remove the logo", required=False)

    class Meta:
        model = Letterhead
        fields = list(LETTERHEAD_FIELDS)

    def clean_logo_upload(self) -> bytes | None:
        upload = self.cleaned_data.get("logo_upload")
        if not upload:
            return None
        if upload.size > LOGO_MAX_BYTES:
            raise forms.ValidationError("The logo is larger than 512 KB.")
        data = upload.read()
        try:
            logo_check(data)
        except LogoRefused as exc:
            raise forms.ValidationError(str(exc)) from exc
        return bytes(data)


@admin.register(Letterhead)
class LetterheadAdmin(_TrustLettersAdmin):
    form = LetterheadForm
    list_display = ["display_name", "signatory_name", "updated_at"]
    readonly_fields = ["current_logo"]
    fields = [*LETTERHEAD_FIELDS, "current_logo", "logo_upload", "logo_remove"]

    @admin.display(description="current logo")
    def current_logo(self, obj: Letterhead) -> str:
        if not obj.logo:
            return "None"
        return f"{obj.logo_type}, {len(bytes(obj.logo)) // 1024 or 1} KB"

    def save_model(self, request: HttpRequest, obj: Letterhead, form: Any, change: bool) -> None:
        letterhead_change(
            actor=request.user,  # type: ignore[arg-type]
            logo=form.cleaned_data.get("logo_upload"),
            logo_remove=bool(form.cleaned_data.get("logo_remove")),
            **{name: form.cleaned_data[name] for name in LETTERHEAD_FIELDS},
        )
        obj.refresh_from_db()

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        if current_trust_id() is not None:
            letterhead_current()  # a trust made without one gets it here
        return super().get_object(request, object_id, from_field)
