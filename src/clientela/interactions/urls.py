from django.urls import path

from clientela.interactions import views

app_name = "interactions"

urlpatterns = [
    path("new/", views.log, name="log"),
    path("<int:interaction_id>/correct/", views.correct, name="correct"),
    path(
        "<int:interaction_id>/attachments/<int:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
]
