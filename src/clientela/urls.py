"""Top-level routes: the staff web app, the REST API and Django's admin."""

from django.contrib import admin
from django.urls import include, path

from clientela.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("parties/", include("clientela.parties.urls")),
    path("interactions/", include("clientela.interactions.urls")),
    path("duplicates/", include("clientela.dedupe.urls")),
    path("segments/", include("clientela.segments.urls")),
    path("", include("clientela.consent.urls")),
    path("", include("clientela.analytics.urls")),
    path("", include("clientela.imports.urls")),
    path("", include("clientela.web.urls")),
]
