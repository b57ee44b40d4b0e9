"""Party pages; the customer 360 page (`detail`, `timeline`) is web's and the list
(`list`) is segments', mounted beside these by the shell."""

from django.urls import path

from clientela.parties import views

app_name = "parties"

urlpatterns = [
    path("new/", views.party_new, name="new"),
    path("organizations/", views.organization_picker, name="organizations"),
    path("<int:party_id>/edit/", views.party_edit, name="edit"),
    path("<int:party_id>/archive/", views.party_archive, name="archive"),
]
