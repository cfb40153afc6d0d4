"""/api/v1/stepping-stones/: pupil records by reference only (never a name, UPN or date of birth in a URL)."""

from django.urls import path

from . import views

app_name = "stepping_stones-api"
urlpatterns = [
    path("cohorts/", views.CohortList.as_view(), name="cohorts"),
    path("cohorts/<int:year>/", views.CohortDetail.as_view(), name="cohort"),
    path("cohorts/<int:year>/schools/", views.ParticipatingSchoolList.as_view(), name="cohort-schools"),
    path("cohorts/<int:year>/import/", views.CohortImport.as_view(), name="cohort-import"),
    path("cohorts/<int:year>/evaluation.csv", views.EvaluationExport.as_view(), name="evaluation-export"),
    path("cohorts/<int:year>/dashboard/", views.Dashboard.as_view(), name="cohort-dashboard"),
    path("dashboard/", views.Dashboard.as_view(), name="dashboard"),
    path("needs/", views.NeedList.as_view(), name="needs"),
    path("needs/<int:pk>/", views.NeedDetail.as_view(), name="need"),
    path("referrals/", views.ReferralList.as_view(), name="referrals"),
    path("referrals/search/", views.SearchView.as_view(), name="search"),
    path("referrals/pending-destination/", views.PendingDestinationList.as_view(), name="pending-destination"),
    path("duplicates/", views.PossibleDuplicateList.as_view(), name="duplicates"),
    path("duplicates/<int:pk>/merge/", views.DuplicateMergeView.as_view(), name="duplicate-merge"),
    path("duplicates/<int:pk>/decline/", views.DuplicateDeclineView.as_view(), name="duplicate-decline"),
    path("duplicates/<int:pk>/keep-both/", views.DuplicateKeepBothView.as_view(), name="duplicate-keep-both"),
    path("referrals/<str:reference>/", views.ReferralDetail.as_view(), name="referral"),
    path("referrals/<str:reference>/consent/", views.ConsentView.as_view(), name="consent"),
    path("referrals/<str:reference>/submit/", views.SubmitView.as_view(), name="submit"),
    path("referrals/<str:reference>/destination/", views.DestinationView.as_view(), name="destination"),
    path("referrals/<str:reference>/accept/", views.AcceptView.as_view(), name="accept"),
    path("referrals/<str:reference>/waitlist/", views.WaitlistView.as_view(), name="waitlist"),
    path("referrals/<str:reference>/decline/", views.DeclineView.as_view(), name="decline"),
    path("referrals/<str:reference>/advance/", views.AdvanceView.as_view(), name="advance"),
    path("referrals/<str:reference>/progress/", views.ProgressView.as_view(), name="progress"),
    path("referrals/<str:reference>/withdraw/", views.WithdrawView.as_view(), name="withdraw"),
    path("referrals/<str:reference>/withdraw-consent/", views.WithdrawConsentView.as_view(), name="withdraw-consent"),
    path("referrals/<str:reference>/erase/", views.EraseView.as_view(), name="erase"),
    path("referrals/<str:reference>/subject-access/", views.SubjectAccessView.as_view(), name="subject-access"),
    path("referrals/<str:reference>/access-log/", views.AccessLogView.as_view(), name="access-log"),
]
