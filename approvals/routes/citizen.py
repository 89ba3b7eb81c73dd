"""Pages for citizens and village proxy agents, and the public status lookup.

/status/ must stay at this path: the QR code on every notice encodes
``{SITE_URL}/status/?number=<number>``."""

from django.urls import path

from approvals.views import citizen as views

urlpatterns = [
    path("status/", views.status_lookup, name="status-lookup"),
    path("apply/<str:code>/", views.apply, name="apply"),
    path("my/applications/", views.my_applications, name="my-applications"),
    path("applications/<str:reference>/", views.application_detail, name="application-detail"),
    path(
        "applications/<str:reference>/apply/<slug:step>/",
        views.apply_step,
        name="apply-step",
    ),
    path(
        "applications/<str:reference>/correction/",
        views.correction,
        name="correction",
    ),
    path("applications/<str:reference>/withdraw/", views.withdraw, name="withdraw"),
    path(
        "applications/<str:reference>/notices/<int:notice_id>/",
        views.notice_pdf,
        name="notice-pdf",
    ),
    path(
        "applications/<str:reference>/files/<int:file_id>/",
        views.material_file,
        name="material-file",
    ),
    path("proxy/", views.proxy_home, name="proxy-home"),
    path("proxy/new/", views.proxy_new, name="proxy-new"),
    path("proxy/residents/", views.proxy_resident_register, name="proxy-resident-register"),
    path("proxy/file/", views.proxy_file, name="proxy-file"),
]

api_urlpatterns: list = []
