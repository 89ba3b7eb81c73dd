from approvals.routes import applications, citizen, evaluations, hall, register, staff

urlpatterns = [
    *register.api_urlpatterns,
    *applications.api_urlpatterns,
    *citizen.api_urlpatterns,
    *staff.api_urlpatterns,
    *hall.api_urlpatterns,
    *evaluations.api_urlpatterns,
]
