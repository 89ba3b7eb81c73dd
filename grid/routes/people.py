from django.urls import path

from grid.views import people as views

urlpatterns = [
    path("grid/people/", views.people, name="people"),
    path("grid/people/<str:code>/", views.people_area, name="people-area"),
    path("grid/people/<str:code>/assign/", views.people_assign, name="people-assign"),
    path("grid/people/<str:code>/end/", views.people_end, name="people-end"),
    path("grid/people/<str:code>/standard/", views.people_standard, name="people-standard"),
]
