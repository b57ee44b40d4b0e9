from django.urls import path

from clientela.messaging import views

app_name = "messaging"

urlpatterns = [
    path("messages/parties/<int:party_id>/email/", views.compose, name="compose"),
    path("templates/", views.template_list, name="list"),
    path("templates/new/", views.template_new, name="new"),
    path("templates/<int:template_id>/", views.template_edit, name="edit"),
    path("templates/<int:template_id>/archive/", views.template_archive, name="archive"),
    path("templates/<int:template_id>/preview/", views.template_preview, name="preview"),
]
