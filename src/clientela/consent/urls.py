from django.urls import path

from clientela.consent import views

app_name = "consent"

urlpatterns = [
    # Public, reached by links with an opaque token: no login.
    path("preferences/<str:token>/", views.preference_centre, name="preference_centre"),
    path("preferences/<str:token>/my-data.zip", views.download_data, name="download_data"),
    path("preferences/<str:token>/forget/", views.forget_me, name="forget_me"),
    path("unsubscribe/<str:token>/", views.unsubscribe_link, name="unsubscribe"),
    path("signup/", views.signup_form, name="signup"),
    path("signup/confirm/<str:token>/", views.confirm_signup_page, name="confirm_signup"),
    # Staff.
    path("parties/<int:party_id>/consents/", views.party_consents, name="party_consents"),
    path("privacy-requests/", views.privacy_queue, name="privacy_queue"),
    path(
        "privacy-requests/<int:request_id>/",
        views.privacy_request_detail,
        name="privacy_request",
    ),
    path(
        "privacy-requests/<int:request_id>/export.zip",
        views.privacy_request_export,
        name="privacy_request_export",
    ),
]
