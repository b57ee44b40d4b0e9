from django.urls import path

from clientela.analytics import views

app_name = "analytics"

urlpatterns = [
    path("analytics/", views.analytics_dashboard, name="dashboard"),
    path("analytics/trends/", views.trends_page, name="trends"),
    path("analytics/<slug:table>.csv", views.dashboard_csv, name="dashboard_csv"),
    path("analytics/trends/<slug:table>.csv", views.trends_csv, name="trends_csv"),
    path("parties/<int:party_id>/metrics-panel/", views.metrics_panel, name="party_metrics"),
]
