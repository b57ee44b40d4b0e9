from django.urls import path

from clientela.accounts import views

app_name = "accounts"

urlpatterns = [
    path("company/logo/<slug:digest>/", views.company_logo, name="company_logo"),
]
