"""The command centre's pages (/centre/…)."""

from django.urls import path

from centre.views import board, callouts, duty, exports, figures, lists

app_name = "centre"

NUMBER = "<str:number>"

urlpatterns = [
    path("centre/", board.board, name="board"),
    path("centre/screen/", board.screen, name="screen"),
    path("centre/panels/", board.panels, name="panels"),
    path("centre/late/", lists.late, name="late"),
    path("centre/forecast/", lists.forecast, name="forecast"),
    path("centre/applications/", lists.applications, name="applications"),
    path("centre/cases/", lists.cases, name="cases"),
    path("centre/figures/", figures.figures, name="figures"),
    path("centre/figures/export.xlsx", figures.figures_export, name="figures-export"),
    path("centre/export/<slug:panel>.xlsx", exports.export, name="export"),
    path("centre/duty/", duty.duty, name="duty"),
    path("centre/duty/set/", duty.duty_set, name="duty-set"),
    path("centre/duty/handover/", duty.handover_write, name="handover-write"),
    path("centre/duty/handover/<int:pk>/ack/", duty.handover_acknowledge, name="handover-ack"),
    path("centre/callouts/", callouts.callouts, name="callouts"),
    path("centre/callouts/new/", callouts.callout_new, name="callout-new"),
    path(f"centre/callouts/{NUMBER}/", callouts.callout_detail, name="callout"),
    path(f"centre/callouts/{NUMBER}/cancel/", callouts.callout_cancel, name="callout-cancel"),
]
