from enforcement.urls import _patterns

urlpatterns = _patterns("api_urlpatterns")
