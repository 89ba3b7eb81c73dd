"""Staff pages: window clerks, reviewers, district reviewers, supervisors."""

from django.urls import path

from approvals.views import staff as views

APP = "staff/applications/<str:reference>/"

urlpatterns = [
    path("staff/intake/", views.intake_queue, name="intake-queue"),
    path("staff/walk-in/", views.walk_in, name="walk-in"),
    path("staff/walk-in/matters/", views.walk_in_matters, name="walk-in-matters"),
    path("staff/release/", views.release_queue, name="release-queue"),
    path("staff/review/", views.review_queue, name="review-queue"),
    path("staff/district/", views.district_queue, name="district-queue"),
    path("staff/supervision/", views.supervision, name="supervision"),
    path("staff/extensions/<int:pk>/decide/", views.extension_decide, name="extension-decide"),
    path(APP, views.staff_application, name="staff-application"),
    path(APP + "draft/", views.walk_in_draft, name="walk-in-draft"),
    path(APP + "intake/", views.intake, name="intake"),
    path(APP + "review/", views.review, name="review"),
    path(APP + "district/", views.district_review, name="district-review"),
    path(APP + "release/", views.release, name="release"),
    path(APP + "reassign/", views.reassign, name="reassign"),
    path(APP + "files/<int:file_id>/", views.staff_file, name="staff-file"),
    path(APP + "notices/<int:notice_id>/", views.staff_notice, name="staff-notice"),
    path(APP + "notices/<int:notice_id>/pdf/", views.staff_notice_pdf, name="staff-notice-pdf"),
]
