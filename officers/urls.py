from django.urls import path

from . import views

app_name = "officers"
urlpatterns = [
    path("", views.home, name="home"),
    path("queue/", views.queue, name="queue"),
    path("schools/<int:urn>/", views.school_detail, name="school_detail"),
    path("schools/<int:urn>/weight/", views.school_weight, name="school_weight"),
    path("schools/<int:urn>/end/", views.assignment_end, name="assignment_end"),
    path("schools/<int:urn>/ask/", views.request_officer, name="request_officer"),
    path("people/", views.officer_list, name="officer_list"),
    path("people/new/", views.officer_create, name="officer_create"),
    path("people/import/", views.officer_import, name="officer_import"),
    path("people/<int:pk>/", views.officer_detail, name="officer_detail"),
    path("people/<int:pk>/edit/", views.officer_edit, name="officer_edit"),
    path("people/<int:pk>/end/", views.officer_end, name="officer_end"),
    path("coverage/", views.coverage, name="coverage"),
    path("optimiser/", views.optimiser, name="optimiser"),
    path("optimiser/apply/", views.optimiser_apply, name="optimiser_apply"),
    path("optimiser/runs/", views.optimiser_run_create, name="optimiser_run_create"),
    path("optimiser/runs/<int:pk>/", views.optimiser_run, name="optimiser_run"),
    path("optimiser/runs/<int:pk>/apply/", views.optimiser_run_apply, name="optimiser_run_apply"),
    path("what-if/", views.what_if, name="what_if"),
    path("weight-rules/", views.weight_rules, name="weight_rules"),
    path("my-schools/", views.my_schools, name="my_schools"),
    path("named-officer/", views.named_officer, name="named_officer"),
]
