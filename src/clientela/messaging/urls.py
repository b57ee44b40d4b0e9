from django.urls import path

from clientela.messaging import views

app_name = "messaging"

urlpatterns = [
    path("parties/<int:party_id>/email/", views.compose, name="compose"),
]
