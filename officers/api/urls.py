from django.urls import path

from . import views

app_name = "officers-api"
urlpatterns = [
    path("officers/", views.OfficerList.as_view(), name="officers"),
    path("officers/import/", views.OfficerImport.as_view(), name="officer-import"),
    path("officers/<int:pk>/", views.OfficerDetail.as_view(), name="officer"),
    path("officers/<int:pk>/end/", views.OfficerEnd.as_view(), name="officer-end"),
    path("queue/", views.QueueList.as_view(), name="queue"),
    path("schools/<int:urn>/suggestions/", views.Suggestions.as_view(), name="suggestions"),
    path("schools/<int:urn>/weight/", views.WeightOverride.as_view(), name="weight-override"),
    path("assignments/", views.AssignmentCreate.as_view(), name="assignments"),
    path("assignments/<int:pk>/end/", views.AssignmentEnd.as_view(), name="assignment-end"),
    path("coverage/", views.Coverage.as_view(), name="coverage"),
    path("optimiser/", views.OptimiserRun.as_view(), name="optimiser"),
    path("optimiser/apply/", views.OptimiserApply.as_view(), name="optimiser-apply"),
    path("optimiser/runs/", views.OptimiserRunList.as_view(), name="optimiser-runs"),
    path("optimiser/runs/<int:pk>/", views.OptimiserRunDetail.as_view(), name="optimiser-run"),
    path("optimiser/runs/<int:pk>/apply/", views.OptimiserRunApply.as_view(), name="optimiser-run-apply"),
    path("what-if/", views.WhatIf.as_view(), name="what-if"),
    path("requests/", views.OfficerRequestCreate.as_view(), name="requests"),
    path("named-officers/", views.NamedOfficers.as_view(), name="named-officers"),
    path("my-schools/", views.MySchools.as_view(), name="my-schools"),
]
