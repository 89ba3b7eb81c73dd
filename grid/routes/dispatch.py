"""Dispatch pages (the centre's queues, routing an incident, work orders for departments on a
desktop or a phone, whistles, routing rules and their tester, figures) and the API."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from grid.api import dispatch as api
from grid.views import dispatch as views
from grid.views import routing_rules as rule_views

NUMBER = "<str:number>"

urlpatterns = [
    # the centre
    path("grid/dispatch/", views.centre, name="dispatch-home"),
    path(f"grid/dispatch/incidents/{NUMBER}/", views.route_incident, name="dispatch-incident"),
    path(f"grid/dispatch/incidents/{NUMBER}/whistle/", views.whistle_new, name="whistle-new"),
    path(
        f"grid/dispatch/incidents/{NUMBER}/request/",
        views.request_dispatch,
        name="dispatch-request",
    ),
    path(
        f"grid/dispatch/incidents/{NUMBER}/enforcement/",
        views.to_enforcement,
        name="dispatch-enforcement",
    ),
    path("grid/dispatch/<int:pk>/withdraw/", views.withdraw, name="dispatch-withdraw"),
    path("grid/dispatch/figures/", views.figures, name="dispatch-figures"),
    path("grid/dispatch/figures.xlsx", views.figures_export, name="dispatch-figures-export"),
    # work orders (departments: desktop and phone; the centre: all of them)
    path("grid/work-orders/", views.work_orders, name="work-orders"),
    path("grid/work-orders/<int:pk>/", views.work_order, name="work-order"),
    path(
        "grid/work-orders/<int:pk>/photos/<int:photo_id>/",
        views.work_order_photo,
        name="work-order-photo",
    ),
    path(
        "grid/work-orders/<int:pk>/<slug:action>/",
        views.work_order_action,
        name="work-order-action",
    ),
    path("grid/extensions/<int:pk>/decide/", views.extension_decide, name="extension-decide"),
    # whistles
    path("grid/whistles/", views.whistles, name="whistles"),
    path("grid/whistles/<int:pk>/", views.whistle, name="whistle"),
    path("grid/whistles/calls/<int:pk>/report/", views.whistle_report, name="whistle-report"),
    # routing rules
    path("grid/routing-rules/", rule_views.rule_list, name="routing-rules"),
    path("grid/routing-rules/new/", rule_views.rule_new, name="routing-rule-new"),
    path("grid/routing-rules/test/", rule_views.rule_test, name="routing-test"),
    path("grid/routing-rules/import/", rule_views.rule_import, name="routing-import"),
    path("grid/routing-rules/export.xlsx", rule_views.rule_export, name="routing-export"),
    path("grid/routing-rules/<int:pk>/", rule_views.rule_edit, name="routing-rule"),
    path("grid/routing-rules/<int:pk>/switch/", rule_views.rule_switch, name="routing-rule-switch"),
]

router = SimpleRouter()
router.register("work-orders", api.WorkOrderViewSet, basename="work-order")
router.register("routing-rules", api.RoutingRuleViewSet, basename="routing-rule")
router.register("whistles", api.WhistleViewSet, basename="whistle")

api_urlpatterns = [
    path("routing-rules/test/", api.RoutingTestView.as_view(), name="api-routing-test"),
    path("dispatches/", api.DispatchCreateView.as_view(), name="api-dispatches"),
    path("dispatches/queue/", api.ToRouteView.as_view(), name="api-dispatch-queue"),
    *router.urls,
]
