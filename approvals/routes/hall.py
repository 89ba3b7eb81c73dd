from django.urls import path

from approvals.api import hall as api
from approvals.views import hall as views

urlpatterns = [
    path("hall/kiosk/", views.kiosk, name="kiosk"),
    path("hall/kiosk/take/", views.kiosk_take, name="hall-kiosk-take"),
    path("hall/kiosk/check-in/", views.kiosk_check_in, name="hall-kiosk-check-in"),
    path("hall/tickets/<int:pk>/slip/", views.ticket_slip, name="hall-ticket-slip"),
    path("hall/screen/", views.hall_screen, name="hall-screen"),
    path("hall/screen/state/", views.hall_screen_state, name="hall-screen-state"),
    path("hall/device/", views.device_login, name="hall-device-login"),
    path("hall/devices/", views.devices, name="hall-devices"),
    path("hall/devices/<int:pk>/revoke/", views.device_revoke, name="hall-device-revoke"),
    path("hall/calling/", views.calling, name="calling"),
    path("hall/calling/<int:number>/queue/", views.calling_queue, name="hall-calling-queue"),
    path("hall/calling/<int:number>/next/", views.call_next, name="hall-call-next"),
    path(
        "hall/calling/tickets/<int:pk>/resident/",
        views.ticket_resident,
        name="hall-ticket-resident",
    ),
    path(
        "hall/calling/tickets/<int:pk>/<slug:action>/",
        views.ticket_action,
        name="hall-ticket-action",
    ),
    path("hall/appointments/", views.appointments, name="appointments"),
    path("hall/appointments/slots/", views.appointment_slots, name="hall-appointment-slots"),
    path(
        "hall/appointments/<int:pk>/cancel/",
        views.appointment_cancel,
        name="hall-appointment-cancel",
    ),
    path("hall/figures/", views.figures, name="hall-figures"),
    path("hall/capacity/", views.capacity, name="hall-capacity"),
    path("hall/capacity/<int:pk>/delete/", views.capacity_delete, name="hall-capacity-delete"),
]

api_urlpatterns = [
    path("hall/categories/", api.CategoryListView.as_view(), name="api-hall-categories"),
    path("hall/tickets/", api.TicketTakeView.as_view(), name="api-hall-ticket-take"),
    path("hall/tickets/<int:pk>/", api.TicketDetailView.as_view(), name="api-hall-ticket"),
    path(
        "hall/tickets/<int:pk>/recall/",
        api.TicketRecallView.as_view(),
        name="api-hall-ticket-recall",
    ),
    path(
        "hall/tickets/<int:pk>/no-show/",
        api.TicketNoShowView.as_view(),
        name="api-hall-ticket-no-show",
    ),
    path(
        "hall/tickets/<int:pk>/finish/",
        api.TicketFinishView.as_view(),
        name="api-hall-ticket-finish",
    ),
    path(
        "hall/tickets/<int:pk>/transfer/",
        api.TicketTransferView.as_view(),
        name="api-hall-ticket-transfer",
    ),
    path(
        "hall/tickets/<int:pk>/resident/",
        api.TicketResidentView.as_view(),
        name="api-hall-ticket-resident",
    ),
    path("hall/windows/<int:number>/", api.WindowStateView.as_view(), name="api-hall-window"),
    path(
        "hall/windows/<int:number>/call-next/",
        api.CallNextView.as_view(),
        name="api-hall-call-next",
    ),
    path("hall/screen/", api.ScreenStateView.as_view(), name="api-hall-screen"),
    path("hall/appointments/", api.AppointmentListView.as_view(), name="api-hall-appointments"),
    path("hall/appointments/slots/", api.SlotListView.as_view(), name="api-hall-slots"),
    path(
        "hall/appointments/check-in/",
        api.AppointmentCheckInView.as_view(),
        name="api-hall-check-in",
    ),
    path(
        "hall/appointments/<int:pk>/cancel/",
        api.AppointmentCancelView.as_view(),
        name="api-hall-appointment-cancel",
    ),
    path("hall/figures/", api.FiguresView.as_view(), name="api-hall-figures"),
]
