from grid.urls import _patterns

urlpatterns = _patterns("api_urlpatterns")
