"""The person's notifications, at /notifications/ in the product's Site."""

from __future__ import annotations

from django.urls import path
from viewflow.urls import Application

from web import notifications as views


class NotificationsApp(Application):
    """Everyone with a login has notifications; the views send the anonymous to log in."""

    title = "Notifications"
    icon = "notifications"
    app_name = "notifications"
    menu_template_name = "workflow/menu.html"

    index_path = path("", views.NotificationListView.as_view(), name="list")
    read_path = path("<int:pk>/read/", views.MarkReadView.as_view(), name="read")
    read_all_path = path("read-all/", views.MarkAllReadView.as_view(), name="read_all")
    preferences_path = path("preferences/", views.PreferencesView.as_view(), name="preferences")
