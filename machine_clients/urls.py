from django.urls import path

from . import views

app_name = "machine_clients"
urlpatterns = [
    path("", views.client_list, name="list"),
    path("new/", views.client_register, name="register"),
    path("<int:pk>/", views.client_detail, name="detail"),
    path("<int:pk>/revoke/", views.client_revoke, name="revoke"),
]
