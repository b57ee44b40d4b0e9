from django.urls import path

from clientela.segments import views

app_name = "segments"

urlpatterns = [
    path("", views.segment_list, name="list"),
    path("new/", views.segment_new, name="new"),
    path("preview/", views.segment_preview, name="preview"),
    path("<int:segment_id>/", views.segment_detail, name="detail"),
    path("<int:segment_id>/edit/", views.segment_edit, name="edit"),
    path("<int:segment_id>/delete/", views.segment_delete, name="delete"),
    path("<int:segment_id>/members.csv", views.segment_export, name="export"),
    path("<int:segment_id>/candidates/", views.static_candidates, name="candidates"),
    path("<int:segment_id>/members/add/", views.static_add, name="add_member"),
    path(
        "<int:segment_id>/members/<int:party_id>/remove/",
        views.static_remove,
        name="remove_member",
    ),
]
