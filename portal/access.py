"""Who may open a page: one decorator for every app's HTML views."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def role_required(*role_names: str, allow_superuser: bool = True):
    """Signed in with one of ``role_names`` (or a superuser, unless ``allow_superuser`` is
    False). Anonymous visitors go to the log-in page; anyone else signed in gets 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (user.has_role(*role_names) or (allow_superuser and user.is_superuser)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
