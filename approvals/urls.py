from approvals.routes import applications, evaluations, hall, register

app_name = "approvals"
urlpatterns = [
    *register.urlpatterns,
    *applications.urlpatterns,
    *hall.urlpatterns,
    *evaluations.urlpatterns,
]
