"""Segment pages under /segments/, and the party list's pages that the shell mounts."""

from django.urls import path

from clientela.segments.views import audiences as views
from clientela.segments.views import lists

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

# The party list (sorting, columns, saved views, bulk actions): the shell (clientela/urls.py)
# mounts these under /parties/ in the "parties" namespace, beside the parties app's own pages.
party_list_urlpatterns = [
    path("", lists.party_list, name="list"),
    path("bulk/", lists.party_bulk, name="bulk"),
    path("views/", lists.saved_view_new, name="view_new"),
    path("views/<int:view_id>/", lists.saved_view_edit, name="view_edit"),
    path("views/<int:view_id>/delete/", lists.saved_view_delete, name="view_delete"),
]
