from django.urls import path

from clientela.commerce import views

app_name = "commerce"

urlpatterns = [
    path("exchange-rates/", views.rates, name="rates"),
    path("exchange-rates/import/", views.rates_import, name="rates_import"),
]
