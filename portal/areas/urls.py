from django.urls import path

from portal.areas import views

app_name = "areas"

urlpatterns = [
    path("", views.area_list, name="list"),
    path("import/", views.area_import, name="import"),
    path("import/<uuid:public_id>/", views.area_import_job, name="import-job"),
    path("import/<uuid:public_id>/apply/", views.area_import_apply, name="import-apply"),
    path("export.geojson", views.area_export, name="export"),
    path("<str:code>/", views.area_detail, name="detail"),
    path("<str:code>/edit/", views.area_edit, name="edit"),
    path("<str:code>/close/", views.area_close, name="close"),
    path("<str:code>/merge/", views.area_merge, name="merge"),
    path("<str:code>/split/", views.area_split, name="split"),
]
