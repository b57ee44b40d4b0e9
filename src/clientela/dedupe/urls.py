from django.urls import path

from clientela.dedupe import views

app_name = "dedupe"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("merges/", views.merges, name="merges"),
    path("merges/<int:merge_id>/", views.merge_detail, name="merge_detail"),
    path("merges/<int:merge_id>/unmerge/", views.unmerge_view, name="unmerge"),
    path("<int:pair_id>/", views.review, name="review"),
    path("<int:pair_id>/merge/", views.merge, name="merge"),
    path("<int:pair_id>/not-duplicate/", views.not_duplicate, name="not_duplicate"),
]
