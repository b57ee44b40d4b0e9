from django.urls import path

from clientela.messaging import views

app_name = "messaging"

urlpatterns = [
    path("", views.template_list, name="list"),
    path("new/", views.template_new, name="new"),
    path("<int:template_id>/", views.template_edit, name="edit"),
    path("<int:template_id>/archive/", views.template_archive, name="archive"),
    path("<int:template_id>/preview/", views.template_preview, name="preview"),
]
