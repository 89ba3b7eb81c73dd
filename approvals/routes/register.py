"""URLs of the register: the public guide, the administration pages and the API."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from approvals.api import register as api
from approvals.views import register as views

urlpatterns = [
    # the public service guide
    path("guide/", views.guide, name="guide"),
    path("guide/enforcement/", views.guide_enforcement, name="guide-enforcement"),
    path("guide/events/<slug:code>/", views.guide_event, name="guide-event"),
    path("guide/<str:code>/", views.guide_matter, name="guide-matter"),
    path(
        "guide/<str:code>/forms/<int:material_id>/<str:which>/",
        views.guide_material_form,
        name="guide-material-form",
    ),
    # register administration
    path("register/", views.register_admin, name="register-admin"),
    path("register/matters/new/", views.register_matter_create, name="register-matter-create"),
    path("register/matters/<int:pk>/", views.register_matter, name="register-matter"),
    path(
        "register/matters/<int:pk>/edit/", views.register_matter_edit, name="register-matter-edit"
    ),
    path(
        "register/matters/<int:pk>/publish/",
        views.register_matter_publish,
        name="register-matter-publish",
    ),
    path(
        "register/matters/<int:pk>/retire/",
        views.register_matter_retire,
        name="register-matter-retire",
    ),
    path(
        "register/matters/<int:pk>/new-draft/",
        views.register_matter_new_draft,
        name="register-matter-new-draft",
    ),
    path(
        "register/matters/<int:pk>/discard/",
        views.register_matter_discard,
        name="register-matter-discard",
    ),
    path(
        "register/matters/<int:pk>/attach/",
        views.register_matter_attach,
        name="register-matter-attach",
    ),
    path("register/publish-drafts/", views.register_publish_drafts, name="register-publish-drafts"),
    path("register/history/<str:code>/", views.register_history, name="register-history"),
    path("register/instruments/", views.register_instruments, name="register-instruments"),
    path("register/instruments/<int:pk>/", views.register_instrument, name="register-instrument"),
    path(
        "register/instruments/<int:pk>/items/<int:item_pk>/remove/",
        views.register_instrument_item_remove,
        name="register-instrument-item-remove",
    ),
    path(
        "register/instruments/<int:pk>/apply/",
        views.register_instrument_apply,
        name="register-instrument-apply",
    ),
    path(
        "register/instruments/<int:pk>/handover/",
        views.register_instrument_handover,
        name="register-instrument-handover",
    ),
    path("register/import/", views.register_import, name="register-import"),
    path(
        "register/import/<uuid:public_id>/",
        views.register_import_job,
        name="register-import-job",
    ),
    path(
        "register/import/<uuid:public_id>/progress/",
        views.register_import_progress,
        name="register-import-progress",
    ),
    path(
        "register/import/<uuid:public_id>/apply/",
        views.register_import_apply,
        name="register-import-apply",
    ),
    path(
        "register/import/<uuid:public_id>/undo/",
        views.register_import_undo,
        name="register-import-undo",
    ),
    path("register/export/", views.register_export, name="register-export"),
]

router = SimpleRouter()
router.register("matters", api.MatterViewSet, basename="matter")
router.register("matter-versions", api.MatterVersionViewSet, basename="matter-version")
router.register("business-categories", api.BusinessCategoryViewSet, basename="business-category")
router.register(
    "delegation-instruments", api.DelegationInstrumentViewSet, basename="delegation-instrument"
)
router.register("register-imports", api.RegisterImportJobViewSet, basename="register-import")

api_urlpatterns = [
    path("register/export/", api.RegisterExportView.as_view(), name="api-register-export"),
    *router.urls,
]
