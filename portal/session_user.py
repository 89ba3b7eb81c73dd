"""The signed-in person of a page read from the shared cache (issue 19): Django's
``auth.get_user`` asked the database for the person on every page (with ``cached_db`` sessions
the session itself already comes from the cache).

Only the plain case is served from the cache: a session of one of our ModelBackends whose hash
matches the person's session hash under the current SECRET_KEY. Everything else — no session,
an unknown backend, a hash that does not match (a changed password, "sign out everywhere", a
rotated SECRET_KEY with its fallbacks, a deactivated or deleted person) — goes to Django's own
``auth.get_user``, which reads the database and decides as always.

The entry (the person's fields but the password hash, and their session hash) is stored under
the person's generation in ``portal.user_state``, read *before* the database, and used only
while that generation holds: a person saved or deleted (portal.signals), their roles or
notifications changed, or "sign out everywhere" (portal.tokens) sets a new one at once and again
at the commit, so the next request of every process reads the person afresh. Only with a cache
every process shares (``USER_STATE_CACHE``, as for the rest of the person's state)."""

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, load_backend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.core.cache import cache
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.functional import SimpleLazyObject

from portal import user_state

CACHE_SECONDS = 600
_PREFIX = "session-user:"


def _entry_key(pk) -> str:
    return f"{_PREFIX}{pk}"


_marks: dict[str, str] = {}


def _secret_mark() -> str:
    """Which SECRET_KEY the stored session hash was made with."""
    secret = settings.SECRET_KEY
    mark = _marks.get(secret)
    if mark is None:
        mark = salted_hmac("onewindow.session-user", "mark", algorithm="sha256").hexdigest()[:16]
        _marks.clear()
        _marks[secret] = mark
    return mark


def _fields(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if f.attname != "password"]


def _plain_backend(request):
    """(person's pk, backend) of a session Django would check with ModelBackend.get_user, else
    None."""
    try:
        user_id = auth._get_user_session_key(request)
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        return None
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    backend = load_backend(backend_path)
    if not isinstance(backend, ModelBackend) or type(backend).get_user is not ModelBackend.get_user:
        return None
    return user_id, backend


def get_user(request):
    """``auth.get_user(request)``, the person read from the cache when their entry holds."""
    if not settings.USER_STATE_CACHE:
        return auth.get_user(request)
    plain = _plain_backend(request)
    session_hash = request.session.get(HASH_SESSION_KEY) if plain else None
    if not plain or not session_hash:
        return auth.get_user(request)
    user_id, backend = plain
    gen_key, entry_key = user_state._gen_key(user_id), _entry_key(user_id)
    found = cache.get_many([gen_key, entry_key])
    generation, entry = found.get(gen_key), found.get(entry_key)
    mark = _secret_mark()
    if (
        entry is not None
        and generation is not None
        and entry["gen"] == generation
        and entry["mark"] == mark
        and constant_time_compare(session_hash, entry["hash"])
    ):
        from portal.models import User

        fields = entry["user"]
        user = User.from_db(User.objects.db, list(fields), list(fields.values()))
        if backend.user_can_authenticate(user):
            return user
        return auth.get_user(request)
    if generation is None:  # the generation is read before the database
        cache.add(gen_key, user_state._new(), None)
        generation = cache.get(gen_key)
    user = auth.get_user(request)
    if (
        generation is not None
        and user.is_authenticated
        and str(user.pk) == str(user_id)
        and constant_time_compare(request.session.get(HASH_SESSION_KEY, ""), session_hash)
    ):
        cache.set(
            entry_key,
            {
                "gen": generation,
                "mark": mark,
                "hash": session_hash,
                "user": {name: getattr(user, name) for name in _fields(type(user))},
            },
            CACHE_SECONDS,
        )
    return user


def _lazy_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_user(request)
    return request._cached_user


class CachedUserAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware with ``get_user`` above."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _lazy_user(request))
