from django.urls import path

from clientela.parties import views

app_name = "parties"

urlpatterns = [
    path("", views.party_list, name="list"),
    path("new/", views.party_new, name="new"),
    path("organizations/", views.organization_picker, name="organizations"),
    path("<int:party_id>/", views.party_detail, name="detail"),
    path("<int:party_id>/edit/", views.party_edit, name="edit"),
    path("<int:party_id>/timeline/", views.party_timeline, name="timeline"),
    path("<int:party_id>/archive/", views.party_archive, name="archive"),
]
