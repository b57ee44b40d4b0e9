from django.urls import path

from clientela.web import views

app_name = "web"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("sign-in/", views.sign_in_view, name="login"),
    path("sign-out/", views.sign_out_view, name="logout"),
    path("language/", views.language_view, name="language"),
]
