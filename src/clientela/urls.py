"""Top-level routes: the staff web app, the REST API and Django's admin."""

from django.contrib import admin
from django.urls import include, path

from clientela.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("clientela.web.urls")),
]
