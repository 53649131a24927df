"""The case and audit apps of the product's viewflow Site (assembled in config/site.py).

viewflow's generic FlowAppViewset (dashboard, process and task lists, task
pages) is deliberately not mounted: within one flow it shows every process
to anyone with the view permission and lets tasks be completed outside the
services. Our pages are scoped by the selectors and act through services;
the flow chart is drawn with viewflow's own chart module.
"""

from __future__ import annotations

from django.urls import path
from viewflow.urls import Application

from web import audit as audit_views
from web import meetings as meeting_views
from web import panels as panel_views
from web import retention, subject_access
from workflow.audit_selectors import can_explore

from . import (
    case_documents,
    case_export,
    case_notes,
    case_owners,
    cases,
    letters,
    overview,
    referrals,
    wellbeing,
)


class CasesApp(Application):
    title = "Fair Treatment Panel"
    icon = "gavel"
    app_name = "cases"
    menu_template_name = "workflow/menu.html"

    index_path = path("", cases.LandingView.as_view(), name="index")
    inbox_path = path("inbox/", cases.InboxView.as_view(), name="inbox")
    list_path = path("all/", cases.CaseListView.as_view(), name="list")
    # HR advisers only (web/case_export.py).
    list_export_path = path(
        "all/export.<str:fmt>", case_export.CaseListExportView.as_view(), name="list_export"
    )
    new_path = path("new/", referrals.ReferralCreateView.as_view(), name="new")
    employee_picker_path = path(
        "new/employees/", referrals.EmployeePickerView.as_view(), name="employee_picker"
    )
    detail_path = path("<int:pk>/", cases.CaseDetailView.as_view(), name="detail")
    # Before action_path, whose <slug:action> would otherwise take "path".
    case_path_path = path("<int:pk>/path/", audit_views.CasePathView.as_view(), name="path")
    panel_suggestion_path = path(
        "<int:pk>/panel-suggestion/",
        panel_views.PanelSuggestionView.as_view(),
        name="panel_suggestion",
    )
    # The case's notes (web/case_notes.py): GET lists, POST adds or corrects one.
    notes_path = path("<int:pk>/notes/", case_notes.CaseNotesView.as_view(), name="notes")
    # The case's wellbeing check-ins (web/wellbeing.py): HR and the contact only.
    checkins_path = path("<int:pk>/checkins/", wellbeing.CheckInsView.as_view(), name="checkins")
    # The case's letters (web/letters.py), HR only: GET lists, POST generates
    # one; record one as sent. Each PDF downloads as a document (document_download).
    letters_path = path("<int:pk>/letters/", letters.CaseLettersView.as_view(), name="letters")
    letter_sent_path = path(
        "<int:pk>/letters/<int:letter>/sent/", letters.LetterSentView.as_view(), name="letter_sent"
    )
    # Panel meetings (web/meetings.py): HR arranges them, HR or the chair
    # records attendance; the .ics for anyone who may see the case.
    meeting_schedule_path = path(
        "<int:pk>/meetings/schedule/",
        meeting_views.MeetingScheduleView.as_view(),
        name="meeting_schedule",
    )
    meeting_change_path = path(
        "<int:pk>/meetings/<int:meeting>/change/",
        meeting_views.MeetingChangeView.as_view(),
        name="meeting_change",
    )
    meeting_cancel_path = path(
        "<int:pk>/meetings/<int:meeting>/cancel/",
        meeting_views.MeetingCancelView.as_view(),
        name="meeting_cancel",
    )
    meeting_attendance_path = path(
        "<int:pk>/meetings/<int:meeting>/attendance/",
        meeting_views.MeetingAttendanceView.as_view(),
        name="meeting_attendance",
    )
    meeting_minutes_path = path(
        "<int:pk>/meetings/<int:meeting>/minutes/",
        meeting_views.MeetingMinutesView.as_view(),
        name="meeting_minutes",
    )
    meeting_invite_path = path(
        "<int:pk>/meetings/<int:meeting>/invite.ics",
        meeting_views.MeetingInviteView.as_view(),
        name="meeting_invite",
    )
    # The case's documents (web/case_documents.py): GET lists, POST uploads a
    # document or a new version; each version downloads from its own route.
    case_documents_path = path(
        "<int:pk>/documents/", case_documents.CaseDocumentsView.as_view(), name="case_documents"
    )
    document_download_path = path(
        "<int:pk>/documents/<int:doc>/v<int:number>/",
        case_documents.DocumentDownloadView.as_view(),
        name="document_download",
    )
    # The case owner and delegations (web/case_owners.py); before action_path,
    # whose <slug:action> would otherwise take "owner".
    case_owner_path = path(
        "<int:pk>/owner/", case_owners.CaseOwnerView.as_view(), name="case_owner"
    )
    owners_path = path("owners/", case_owners.OwnersView.as_view(), name="owners")
    away_path = path("away/", case_owners.AwayView.as_view(), name="away")
    away_end_path = path(
        "away/<int:delegation>/end/", case_owners.AwayEndView.as_view(), name="away_end"
    )
    action_path = path("<int:pk>/<slug:action>/", cases.CaseActionView.as_view(), name="action")
    my_panels_path = path("my-panels/", panel_views.MyPanelsView.as_view(), name="my_panels")
    panels_path = path("panels/", panel_views.PanelsDashboardView.as_view(), name="panels")
    overview_path = path("overview/", overview.OverviewView.as_view(), name="overview")


class AuditApp(Application):
    """The audit log across cases (HR and decision-makers), at /audit/."""

    title = "Audit log"
    icon = "policy"
    app_name = "audit"
    menu_template_name = "workflow/menu.html"
    # viewflow checks this before the view runs (403); the anonymous pass it
    # so that the view can send them to log in instead.
    permission = staticmethod(lambda user: not user.is_authenticated or can_explore(user))

    index_path = path("", audit_views.EventSearchView.as_view(), name="index")
    export_path = path("export.<str:fmt>", audit_views.EventExportView.as_view(), name="export")
    # HR advisers only (the view refuses decision-makers, who pass the app's check).
    subject_access_path = path(
        "subject-access/", subject_access.SubjectAccessView.as_view(), name="subject_access"
    )
    # HR advisers only, like subject access (web/retention.py).
    retention_path = path("retention/", retention.RetentionDueView.as_view(), name="retention")
    retention_destroy_path = path(
        "retention/<int:pk>/", retention.CaseDestroyView.as_view(), name="retention_destroy"
    )
