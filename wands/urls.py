from django.urls import path

from . import views

app_name = "wands"
urlpatterns = [
    path("", views.home, name="home"),
    path("schools/<int:urn>/request/", views.request_new, name="request_new"),
    path("schools/<int:urn>/request/check/", views.request_check, name="request_check"),
    path("schools/<int:urn>/allowance/", views.school_allowance, name="school_allowance"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/confirmation/", views.request_confirmation, name="request_confirmation"),
    path("requests/<int:pk>/cancel/", views.request_cancel, name="request_cancel"),
    path("requests/<int:pk>/decision/", views.request_decide, name="request_decide"),
    path("requests/<int:pk>/dispatch/", views.request_dispatch, name="request_dispatch"),
    path("requests/<int:pk>/delivered/", views.request_confirm_delivery, name="request_confirm_delivery"),
    path("requests/<int:pk>/problem/", views.request_report_issue, name="request_report_issue"),
    path("queue/", views.queue, name="queue"),
    path("queue/approve/", views.approve_many, name="approve_many"),
    path("queue/export.csv", views.export_csv, name="export_csv"),
    path("stock/", views.stock, name="stock"),
    path("stock/delivery/", views.stock_delivery, name="stock_delivery"),
    path("stock/write-off/", views.stock_write_off, name="stock_write_off"),
    path("dispatch/upload/", views.dispatch_upload, name="dispatch_upload"),
    path("dispatch/list.csv", views.dispatch_list_csv, name="dispatch_list_csv"),
    path("returns/", views.returns, name="returns"),
    path("pickups/<int:pk>/collected/", views.pickup_collected, name="pickup_collected"),
    path("existing-deliveries/", views.existing_import, name="existing_import"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("allowance-rules/", views.allowance_rules, name="allowance_rules"),
]
