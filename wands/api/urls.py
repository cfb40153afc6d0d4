from django.urls import path

from . import views

app_name = "wands-api"
urlpatterns = [
    path("requests/", views.WandRequestList.as_view(), name="requests"),
    path("requests/approve-many/", views.ApproveManyView.as_view(), name="approve-many"),
    path("requests/<int:pk>/", views.WandRequestDetail.as_view(), name="request"),
    path("requests/<int:pk>/approve/", views.ApproveView.as_view(), name="approve"),
    path("requests/<int:pk>/reject/", views.RejectView.as_view(), name="reject"),
    path("requests/<int:pk>/cancel/", views.CancelView.as_view(), name="cancel"),
    path("requests/<int:pk>/dispatch/", views.DispatchView.as_view(), name="dispatch"),
    path("requests/<int:pk>/confirm-delivery/", views.ConfirmDeliveryView.as_view(), name="confirm-delivery"),
    path("requests/<int:pk>/report-issue/", views.ReportIssueView.as_view(), name="report-issue"),
    path("allowances/<int:urn>/", views.AllowanceView.as_view(), name="allowance"),
    path("stock/", views.StockView.as_view(), name="stock"),
    path("stock/movements/", views.StockMovementList.as_view(), name="stock-movements"),
    path("stock/write-off/", views.WriteOffView.as_view(), name="write-off"),
    path("dispatch-csv/", views.DispatchCsvView.as_view(), name="dispatch-csv"),
    path("existing-deliveries/", views.ExistingDeliveriesView.as_view(), name="existing-deliveries"),
    path("allowance-rules/", views.AllowanceRuleList.as_view(), name="allowance-rules"),
    path("returns/<int:pk>/received/", views.ReturnReceivedView.as_view(), name="return-received"),
    path("pickups/<int:pk>/collected/", views.PickupCollectedView.as_view(), name="pickup-collected"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
]
