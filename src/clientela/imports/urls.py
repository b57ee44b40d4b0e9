from django.urls import path

from clientela.imports import views

app_name = "imports"

urlpatterns = [
    path("imports/", views.import_list, name="list"),
    path("imports/<int:run_id>/", views.import_detail, name="detail"),
    path("imports/<int:run_id>/preview/", views.import_preview, name="preview"),
    path("imports/<int:run_id>/start/", views.import_start, name="start"),
    path("imports/<int:run_id>/progress/", views.import_progress, name="progress"),
    path("imports/<int:run_id>/rejects/", views.import_rejects, name="rejects"),
    path("exports/<str:kind>.csv", views.export_csv, name="export"),
]
