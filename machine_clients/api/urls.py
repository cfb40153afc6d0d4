from django.urls import path

from . import views

app_name = "api-clients-api"
urlpatterns = [
    path("", views.MachineClientListCreate.as_view(), name="list"),
    path("<int:pk>/", views.MachineClientDetail.as_view(), name="detail"),
    path("<int:pk>/revoke/", views.MachineClientRevoke.as_view(), name="revoke"),
]
