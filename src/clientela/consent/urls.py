from django.urls import path

from clientela.consent.views import centre, consents, privacy, signup

app_name = "consent"

urlpatterns = [
    # Public, reached by links with an opaque token: no login.
    path("preferences/<str:token>/", centre.preference_centre, name="preference_centre"),
    path("preferences/<str:token>/my-data.zip", centre.download_data, name="download_data"),
    path("preferences/<str:token>/forget/", centre.forget_me, name="forget_me"),
    path("unsubscribe/<str:token>/", centre.unsubscribe_link, name="unsubscribe"),
    path("signup/", signup.signup_form, name="signup"),
    path("signup/confirm/<str:token>/", signup.confirm_signup_page, name="confirm_signup"),
    # Staff.
    path("parties/<int:party_id>/consents/", consents.party_consents, name="party_consents"),
    path("privacy-requests/", privacy.privacy_queue, name="privacy_queue"),
    path("privacy-requests/people/", privacy.privacy_party_choices, name="privacy_party_choices"),
    path(
        "privacy-requests/<int:request_id>/",
        privacy.privacy_request_detail,
        name="privacy_request",
    ),
    path(
        "privacy-requests/<int:request_id>/export.zip",
        privacy.privacy_request_export,
        name="privacy_request_export",
    ),
]
