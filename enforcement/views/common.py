"""What the enforcement pages share: access, running a service and showing what it refused on
the page (the field that caused it, the person's input kept), a lost race as 409."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404

from enforcement.selectors.scope import BUREAU_ROLES, ENFORCEMENT_ROLES, SQUAD_ROLES
from portal import access
from portal.errors import ActionError, Conflict, Forbidden, NotFound

STAFF = (*ENFORCEMENT_ROLES, *BUREAU_ROLES)


def staff_required(view):
    return access.role_required(*STAFF)(view)


def squad_required(view):
    return access.role_required(*SQUAD_ROLES)(view)


def run(request, form, call) -> tuple[object, int]:
    """Call a service with a valid form: (result, 200); a refusal goes onto the form (or the
    page's messages) with the status the API would answer (400, 403, 409)."""
    try:
        return call(), 200
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except Conflict as exc:
        messages.error(request, exc.message)
        form.add_error(None, exc.message) if form is not None else None
        return None, 409
    except Forbidden as exc:
        messages.error(request, exc.message)
        return None, 403
    except ActionError as exc:
        if form is not None:
            form.add_service_error(exc)
        else:
            messages.error(request, exc.message)
        return None, 400


def found(getter, *args):
    """A selector's NotFound as the page's 404."""
    try:
        return getter(*args)
    except NotFound as exc:
        raise Http404(exc.message) from exc
