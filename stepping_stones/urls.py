"""Stepping Stones pages. Pupil records are addressed by their reference number only ("SS26-4K7Q2"): a pupil's name,
UPN or date of birth never goes into a URL (searches are POSTed)."""

from django.urls import path

from . import views

app_name = "stepping_stones"
urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    # Referring a pupil (a primary's lead).
    path("refer/", views.refer_start, name="refer_start"),
    path("refer/pupil/", views.referral_new, name="referral_new"),
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/<str:reference>/", views.referral_detail, name="referral_detail"),
    path("referrals/<str:reference>/pupil/", views.referral_pupil, name="referral_pupil"),
    path("referrals/<str:reference>/destination/", views.referral_destination, name="referral_destination"),
    path("referrals/<str:reference>/needs/", views.referral_needs, name="referral_needs"),
    path("referrals/<str:reference>/contact/", views.referral_contact, name="referral_contact"),
    path("referrals/<str:reference>/consent/", views.referral_consent, name="referral_consent"),
    path("referrals/<str:reference>/check/", views.referral_check, name="referral_check"),
    path("referrals/<str:reference>/confirmation/", views.referral_confirmation, name="referral_confirmation"),
    # The receiving secondary's lead (and coordinators).
    path("referrals/<str:reference>/decision/", views.referral_decide, name="referral_decide"),
    path("referrals/<str:reference>/confirm-place/", views.referral_confirm_place, name="referral_confirm_place"),
    path("referrals/<str:reference>/progress/", views.referral_progress, name="referral_progress"),
    path("referrals/<str:reference>/status/", views.referral_status, name="referral_status"),
    path("referrals/<str:reference>/withdraw/", views.referral_withdraw, name="referral_withdraw"),
    path("schools/<int:urn>/", views.school_cohort, name="school_cohort"),
    # Coordinators.
    path("referrals/<str:reference>/route/", views.referral_route, name="referral_route"),
    path("referrals/<str:reference>/access-log/", views.referral_access_log, name="referral_access_log"),
    path("referrals/<str:reference>/subject-access/", views.referral_subject_access, name="referral_subject_access"),
    path("referrals/<str:reference>/erase/", views.referral_erase, name="referral_erase"),
    path("find/", views.find, name="find"),
    path("pending/", views.pending, name="pending"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("duplicates/<int:pk>/", views.duplicate_decide, name="duplicate_decide"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("needs/", views.needs, name="needs"),
    path("needs/<int:pk>/", views.need_edit, name="need_edit"),
    path("cohorts/", views.cohorts, name="cohorts"),
    path("cohorts/<int:year>/", views.cohort_detail, name="cohort_detail"),
    path("cohorts/<int:year>/end-date/", views.cohort_end_date, name="cohort_end_date"),
    path("cohorts/<int:year>/schools/", views.participating_school, name="participating_school_add"),
    path("cohorts/<int:year>/schools/<int:urn>/", views.participating_school, name="participating_school"),
    path("cohorts/<int:year>/import/", views.cohort_import, name="cohort_import"),
    path("cohorts/<int:year>/evaluation.csv", views.evaluation_export, name="evaluation_export"),
    path(
        "cohorts/<int:year>/referrals-by-primary.csv",
        views.primary_referrals_export,
        name="primary_referrals_export",
    ),
]
