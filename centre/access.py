"""Who may use the centre: dispatchers, supervisors and leaders (the supervisor role, 督查/分管
领导) — and, for reading the board, a registered wall screen (the hall's device tokens, kind
"wall"), which needs no log-in and never times out."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy
from rest_framework.permissions import BasePermission

from approvals.models import HallDevice
from approvals.selectors import hall as hall_sel
from approvals.services import hall as hall_services
from portal import roles

CENTRE_ROLES = (roles.DISPATCHER, roles.SUPERVISOR)


def is_centre(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or user.has_role(*CENTRE_ROLES))
    )


def wall_device(request) -> HallDevice | None:
    """The wall screen registered in this browser's session (touched at most once a minute)."""
    if not hasattr(request, "session"):
        return None
    device = hall_sel.device_in_session(request.session, HallDevice.Kind.WALL)
    if device is not None:
        hall_services.hall_device_touch(device)
    return device


def centre_required(view):
    """Dispatchers, supervisors, superusers; anonymous visitors go to the log-in page."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_centre(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def board_reader(view):
    """The centre's people, or a registered wall screen (no log-in)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.wall_device = None
        if not is_centre(request.user):
            request.wall_device = wall_device(request)
            if request.wall_device is None:
                if request.headers.get("HX-Request"):
                    return HttpResponse(status=403)
                if not request.user.is_authenticated:
                    return redirect(
                        f"{reverse('approvals:hall-device-login')}?kind={HallDevice.Kind.WALL}"
                    )
                raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


class IsCentre(BasePermission):
    message = gettext_lazy("仅指挥中心调度员、督查人员和领导可以使用。")

    def has_permission(self, request, view):
        return is_centre(request.user)


class IsBoardReader(BasePermission):
    """The centre's people, or a registered wall screen's browser session (GET only)."""

    message = IsCentre.message

    def has_permission(self, request, view):
        if is_centre(request.user):
            return True
        return request.method in ("GET", "HEAD") and wall_device(request._request) is not None
