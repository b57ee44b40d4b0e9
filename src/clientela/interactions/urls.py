from django.urls import path

from clientela.interactions import views

app_name = "interactions"

urlpatterns = [
    path("new/", views.log, name="log"),
]
