"""Top-level routes: the staff web app, the REST API and Django's admin."""

from django.contrib import admin
from django.urls import include, path, re_path

from clientela.api import api, unknown_route
from clientela.parties.urls import urlpatterns as party_pages
from clientela.segments.urls import party_list_urlpatterns as party_list
from clientela.web.urls import party_urlpatterns as customer_360
from clientela.web.views import admin_sign_in_view

urlpatterns = [
    # The admin's own sign-in form would skip the sign-in throttle: the product's page is used.
    path("admin/login/", admin_sign_in_view),
    path("admin/", admin.site.urls),
    # Addresses under /api/v1/ that no route serves get a problem document, the root too.
    path("api/v1/", unknown_route),
    path("api/v1/", api.urls),
    re_path(r"^api/v1/", unknown_route),
    # The parties app's pages and the customer 360 page (web's), under one "parties" namespace;
    # the list people work with (sorting, columns, saved views, bulk actions) is segments'.
    path("parties/", include(([*party_list, *party_pages, *customer_360], "parties"))),
    path("interactions/", include("clientela.interactions.urls")),
    path("duplicates/", include("clientela.dedupe.urls")),
    path("segments/", include("clientela.segments.urls")),
    path("activities/", include("clientela.activities.urls")),
    path("", include("clientela.messaging.urls")),
    path("", include("clientela.consent.urls")),
    path("", include("clientela.analytics.urls")),
    path("", include("clientela.commerce.urls")),
    path("", include("clientela.imports.urls")),
    path("", include("clientela.web.urls")),
    path("", include("clientela.accounts.urls")),
]

# A write that could not get its turn outside a view (a session saved on the way out) is a 503
# with Retry-After, as inside one (core.middleware.DatabaseContention); anything else a 500.
handler500 = "clientela.core.middleware.server_error"
