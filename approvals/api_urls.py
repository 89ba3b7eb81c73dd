from approvals.routes import applications, evaluations, hall, register

urlpatterns = [
    *register.api_urlpatterns,
    *applications.api_urlpatterns,
    *hall.api_urlpatterns,
    *evaluations.api_urlpatterns,
]
