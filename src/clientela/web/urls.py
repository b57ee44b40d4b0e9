from django.urls import path

from clientela.web import views

app_name = "web"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("sign-in/", views.sign_in_view, name="login"),
    path("sign-out/", views.sign_out_view, name="logout"),
    path("language/", views.language_view, name="language"),
    path("settings/company/", views.company_view, name="company"),
    path("settings/custom-fields/", views.custom_fields_view, name="custom_fields"),
    path("settings/custom-fields/<int:field_id>/", views.custom_field_view, name="custom_field"),
    path("orders/<int:order_id>/", views.order_detail, name="order"),
]

# The customer 360 page, composed here from every feature's panels. The shell (clientela/urls.py)
# mounts these under /parties/ beside the parties app's own pages, in the "parties" namespace,
# so that every `{% url 'parties:detail' %}` leads to it.
party_urlpatterns = [
    path("<int:party_id>/", views.party_detail, name="detail"),
    path("<int:party_id>/timeline/", views.party_timeline, name="timeline"),
]
