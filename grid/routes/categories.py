"""The incident category catalogue (register administrators)."""

from django.urls import path

from grid.views import categories as views

urlpatterns = [
    path("grid/categories/", views.catalogue, name="categories"),
    path("grid/categories/new/", views.category_new, name="category-new"),
    path("grid/categories/import/", views.category_import, name="category-import"),
    path("grid/categories/export.xlsx", views.category_export, name="category-export"),
    path("grid/categories/<str:code>/", views.category_versions, name="category-versions"),
    path("grid/categories/<str:code>/edit/", views.category_edit, name="category-edit"),
    path("grid/categories/<str:code>/retire/", views.category_retire, name="category-retire"),
    path("grid/categories/<str:code>/restore/", views.category_restore, name="category-restore"),
]
