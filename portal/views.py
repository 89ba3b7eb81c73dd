from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import audit, roles, services, tokens
from portal import notifications as notifications_service
from portal.errors import ActionError, Forbidden
from portal.forms import (
    AddressForm,
    CitizenSignupForm,
    NotificationPreferenceForm,
    PasswordChangeForm,
)
from portal.home import is_public_visitor, panels_for
from portal.menu import menu_for
from portal.notifications import mark_read


def home(request):
    user = request.user
    return render(
        request,
        "portal/home.html",
        {
            "panels": panels_for(request),
            "public_visitor": is_public_visitor(user),
            "work": [m for m in menu_for(user) if m["key"] not in ("home",)],
            "role_labels": [
                roles.LABELS[r] for r in roles.ALL if user.is_authenticated and user.has_role(r)
            ],
        },
    )


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = CitizenSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = services.citizen_register(
            username=data["mobile"],
            password=data["password1"],
            real_name=data["real_name"],
            mobile=data["mobile"],
            id_number=data["id_number"],
            email=data.get("email", ""),
        )
        login(request, user, backend="portal.auth.UsernameOrMobileBackend")
        messages.success(request, _("注册成功，欢迎使用一窗通办。"))
        return redirect("home")
    return render(request, "portal/signup.html", {"form": form})


@login_required
def profile(request, preference_form=None, status=200, address_form=None):
    user = request.user
    audit.record(actor=user, action="person.view_full", obj=user, note="own profile")
    if preference_form is None:
        pref = notifications_service.preference_for(user)
        preference_form = NotificationPreferenceForm(
            user=user,
            initial={
                "email": pref.email,
                "sms": pref.sms,
                "email_address": user.email,
                "language": pref.language,
            },
        )
    if address_form is None:
        address_form = AddressForm(
            initial={
                "address": user.address,
                "village": user.village.code if user.village_id else None,
            }
        )
    live_tokens, ended_tokens = tokens.for_profile(user)
    return render(
        request,
        "portal/profile.html",
        {
            "person": user,
            "preference_form": preference_form,
            "address_form": address_form,
            "live_tokens": live_tokens,
            "ended_tokens": ended_tokens,
        },
        status=status,
    )


@login_required
def profile_password(request):
    """Self-service password change. Ends the person's other sessions and API tokens; this
    session stays signed in."""
    form = PasswordChangeForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            revoked = services.password_change(
                actor=request.user,
                person=request.user,
                new_password=form.cleaned_data["new_password1"],
            )
            update_session_auth_hash(request, request.user)
            if revoked:
                messages.success(
                    request,
                    _("密码已修改。其他设备上的登录和 %(n)s 个API令牌已失效。") % {"n": revoked},
                )
            else:
                messages.success(request, _("密码已修改。其他设备上的登录已失效。"))
            return redirect("profile")
        return render(request, "portal/password_change.html", {"form": form}, status=400)
    return render(request, "portal/password_change.html", {"form": form})


@login_required
@require_POST
def profile_token_revoke(request, pk):
    from portal.models import ApiToken

    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if tokens.revoke(token=token, actor=request.user):
        messages.success(request, _("API令牌 %(token)s 已撤销。") % {"token": token.masked})
    return redirect("profile")


def logout_view(request):
    """GET: the choice — sign out here, or everywhere (every session and API token of the
    account). POST: sign out; ``everywhere`` ends the rest too."""
    if request.method == "POST":
        user = request.user
        everywhere = request.POST.get("everywhere") == "1" and user.is_authenticated
        if everywhere:
            tokens.sign_out_everywhere(user=user)
        logout(request)
        if everywhere:
            messages.success(request, _("已在所有设备上退出，所有API令牌已撤销。"))
        return redirect(settings.LOGOUT_REDIRECT_URL)
    if not request.user.is_authenticated:
        return redirect(settings.LOGOUT_REDIRECT_URL)
    return render(request, "portal/logout.html")


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lock-out answer: 429 for pages and the API alike; the API's body carries the
    code ``locked_out`` as the token endpoint's does."""
    from portal.api import locked_out_message

    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "locked_out", "message": locked_out_message(), "fields": {}}, status=429
        )
    return render(request, "portal/locked_out.html", {"message": locked_out_message()}, status=429)


@login_required
@require_POST
def profile_address(request):
    form = AddressForm(request.POST)
    if not form.is_valid():
        return profile(request, address_form=form, status=400)
    try:
        services.person_set_address(
            actor=request.user,
            person=request.user,
            address=form.cleaned_data["address"],
            village=form.cleaned_data["village"],
        )
    except ActionError as exc:
        form.add_error("village", exc.message)
        return profile(request, address_form=form, status=exc.status_code)
    messages.success(request, _("地址已保存。"))
    return redirect("profile")


@login_required
@require_POST
def profile_notifications(request):
    form = NotificationPreferenceForm(request.POST, user=request.user)
    if not form.is_valid():
        return profile(request, preference_form=form, status=400)
    data = form.cleaned_data
    notifications_service.preference_update(
        user=request.user,
        email=data["email"],
        sms=data["sms"],
        language=data["language"],
        email_address=data["email_address"] or request.user.email,
    )
    messages.success(request, _("消息接收设置已保存。"))
    return redirect("profile")


@login_required
def notifications(request):
    unread_only = request.GET.get("unread") == "1"
    qs = request.user.notifications.all()
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "portal/notifications.html", {"page": page, "unread_only": unread_only})


@login_required
def notification_open(request, pk):
    """Follow a notification's link, marking it read on the way."""
    note = get_object_or_404(request.user.notifications, pk=pk)
    mark_read(recipient=request.user, ids=[note.pk])
    if note.url and url_has_allowed_host_and_scheme(
        note.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(note.url)
    return redirect("notifications")


@login_required
@require_POST
def notifications_mark_read(request):
    ids = request.POST.getlist("id") or None
    mark_read(recipient=request.user, ids=ids)
    if request.headers.get("HX-Request"):
        return HttpResponse(status=204, headers={"HX-Refresh": "true"})
    return redirect("notifications")


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says."""
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("favicon.ico"))


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def page_not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "not_found", "message": _("未找到。"), "fields": {}}, status=404
        )
    return render(request, "404.html", status=404)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "server_error", "message": _("服务器内部错误，已记录。"), "fields": {}},
            status=500,
        )
    # No request context: the error may come from the database the context processors read.
    html = loader.get_template("500.html").render(
        {"hall_phone": settings.ONEWINDOW.get("HALL_PHONE", "")}
    )
    return HttpResponse(html, status=500)


def permission_denied(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "permission_denied", "message": _("您没有执行该操作的权限。"), "fields": {}},
            status=403,
        )
    # a service's refusal says why (portal.middleware.ServiceRefusalMiddleware)
    reason = exception.message if isinstance(exception, Forbidden) else ""
    return render(request, "403.html", {"reason": reason}, status=403)
