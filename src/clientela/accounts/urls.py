"""The settings area's pages for staff and admins, the pages of mailed links and the
company's logo (public: the public pages show it)."""

from django.urls import path

from clientela.accounts.views import audit, links, logo, teams, tokens, users

app_name = "accounts"

urlpatterns = [
    path("settings/users/", users.users_view, name="users"),
    path("settings/users/<int:user_id>/", users.user_view, name="user"),
    path("settings/teams/", teams.teams_view, name="teams"),
    path("settings/teams/<int:team_id>/", teams.team_view, name="team"),
    path("settings/tokens/", tokens.tokens_view, name="tokens"),
    path("settings/tokens/<int:token_id>/revoke/", tokens.revoke_view, name="revoke_token"),
    path("settings/audit/", audit.audit_view, name="audit"),
    path("invitation/<str:token>/", links.invitation_view, name="invitation"),
    path("password/forgot/", links.forgot_password_view, name="forgot_password"),
    path("password/reset/<str:uid>/<str:token>/", links.reset_password_view, name="reset_password"),
    path("company/logo/<slug:digest>/", logo.company_logo, name="company_logo"),
]
