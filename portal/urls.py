"""URL wiring: the one place that composes the core and the domain apps."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal import outbox, views

admin.site.site_header = "一窗通办 管理后台"
admin.site.site_title = "一窗通办"
admin.site.index_title = "管理后台"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("outbox-sw.js", outbox.service_worker, name="outbox-sw"),
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="portal/login.html"),
        name="login",
    ),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/profile/address/", views.profile_address, name="profile-address"),
    path("accounts/profile/password/", views.profile_password, name="profile-password"),
    path(
        "accounts/profile/tokens/<int:pk>/revoke/",
        views.profile_token_revoke,
        name="profile-token-revoke",
    ),
    path(
        "accounts/profile/notifications/",
        views.profile_notifications,
        name="profile-notifications",
    ),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_mark_read, name="notifications-read"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification-open"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("areas/", include("portal.areas.urls")),
    path("api/v1/", include("portal.api_urls")),
    path("api/v1/", include("approvals.api_urls")),
    path("api/v1/", include("enforcement.api_urls")),
    path("api/v1/", include("grid.api_urls")),
    path("api/v1/", include("centre.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # the split view serves Swagger UI's start-up script as a file (?script), not inline (CSP)
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("approvals.urls")),
    path("", include("enforcement.urls")),
    path("", include("grid.urls")),
    path("", include("centre.urls")),
]

handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
handler403 = "portal.views.permission_denied"
