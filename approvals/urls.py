from approvals.routes import applications, citizen, evaluations, hall, register, staff

app_name = "approvals"
urlpatterns = [
    *register.urlpatterns,
    *applications.urlpatterns,
    *citizen.urlpatterns,
    *staff.urlpatterns,
    *hall.urlpatterns,
    *evaluations.urlpatterns,
]
