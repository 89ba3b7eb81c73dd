from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal import tokens
from portal.models import (
    Announcement,
    ApiToken,
    AuditEntry,
    CalendarDay,
    CalendarYear,
    Delivery,
    Department,
    Notification,
    NotificationPreference,
    Reminder,
    StaffProfile,
    User,
    Window,
)


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    filter_horizontal = ["windows"]
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "real_name", "masked_mobile", "masked_id", "is_active", "is_staff"]
    search_fields = ["username", "real_name", "mobile"]
    list_filter = ["groups", "is_active", "is_staff"]
    inlines = [StaffProfileInline]
    actions = ["issue_api_token"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("real_name", "mobile", "id_number", "email")}),
        (_("角色与权限"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )

    @admin.display(description=_("手机号码"))
    def masked_mobile(self, obj):
        return obj.mobile_masked

    @admin.display(description=_("身份证号码"))
    def masked_id(self, obj):
        return obj.id_number_masked

    @admin.action(description=_("为所选账号签发API令牌（密钥只显示一次）"))
    def issue_api_token(self, request, queryset):
        for user in queryset[:20]:
            token, key = tokens.issue(user=user, actor=request.user, name=str(_("管理员签发")))
            _show_key(request, user, token, key)


def _show_key(request, user, token, key):
    messages.warning(
        request,
        format_html(
            "{}: <code>{}</code> — {}",
            user,
            key,
            _("请立即复制交给对方系统，此密钥不会再次显示；%(date)s 到期。")
            % {"date": token.expires_at.strftime("%Y-%m-%d")},
        ),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued from the user list (an action) or by the token endpoint; here they are
    revoked and rotated (system accounts such as the 12345 hotline: the old key works on for
    API_TOKEN_ROTATION_GRACE_HOURS). Only a hash of each key is stored."""

    list_display = [
        "masked",
        "user",
        "kind",
        "name",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
        "revoked_reason",
    ]
    list_filter = ["kind", "revoked_reason"]
    search_fields = ["user__username", "user__real_name", "prefix"]
    list_select_related = ["user"]
    readonly_fields = [f.name for f in ApiToken._meta.fields]
    actions = ["revoke", "rotate"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("令牌"))
    def masked(self, obj):
        return obj.masked

    @admin.action(description=_("撤销所选令牌"))
    def revoke(self, request, queryset):
        done = sum(
            tokens.revoke(token=t, actor=request.user, reason=ApiToken.RevokedReason.ADMIN)
            for t in queryset.select_related("user")
        )
        self.message_user(request, _("已撤销 %(n)s 个令牌。") % {"n": done})

    @admin.action(description=_("轮换所选令牌（签发新密钥，旧密钥在宽限期后失效）"))
    def rotate(self, request, queryset):
        for old in queryset.select_related("user")[:20]:
            token, key = tokens.rotate(token=old, actor=request.user)
            _show_key(request, old.user, token, key)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]


@admin.register(Window)
class WindowAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "kind", "is_active"]
    list_filter = ["kind"]
    filter_horizontal = ["departments"]


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 0


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "confirmed", "source", "updated_at"]
    list_filter = ["confirmed"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_working_day", "name"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"
    search_fields = ["name"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action", "object_type", "object_repr", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "object_repr", "actor_label"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- notifications: inbox, outbox, reminder ledger -------------------------------------------


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ["channel", "masked_address", "status", "attempts", "last_error", "sent_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("发送地址"))
    def masked_address(self, obj):
        return obj.address_masked


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "read_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient", "reminder"]
    search_fields = ["title", "object_id"]
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The outbox. "发送失败" rows are final: fix the cause (address, gateway), then resend."""

    list_display = [
        "created_at",
        "recipient",
        "channel",
        "masked_address",
        "status_badge",
        "attempts",
        "short_error",
        "sent_at",
    ]
    list_filter = ["status", "channel"]
    list_select_related = ["notification__recipient"]
    search_fields = ["notification__recipient__username", "notification__recipient__real_name"]
    date_hierarchy = "created_at"
    actions = ["resend"]
    fields = [
        "notification",
        "channel",
        "masked_address",
        "subject",
        "body",
        "params",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "enqueued_at",
        "claimed_at",
        "sent_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("接收人"), ordering="notification__recipient")
    def recipient(self, obj):
        return obj.notification.recipient

    @admin.display(description=_("发送地址"))
    def masked_address(self, obj):
        return obj.address_masked

    @admin.display(description=_("状态"), ordering="status")
    def status_badge(self, obj):
        css = {
            Delivery.Status.FAILED: "color:#b42318;font-weight:bold",
            Delivery.Status.SENT: "color:#067647",
        }.get(obj.status, "")
        return format_html('<span style="{}">{}</span>', css, obj.get_status_display())

    @admin.display(description=_("最近错误"))
    def short_error(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    @admin.action(description=_("重新发送所选的失败消息"), permissions=["change"])
    def resend(self, request, queryset):
        from portal.notifications import delivery_resend

        chosen = queryset.count()
        done = delivery_resend(deliveries=queryset, actor=request.user)
        if done:
            self.message_user(
                request,
                ngettext(
                    "已重新排队发送 %(n)d 条消息。",
                    "已重新排队发送 %(n)d 条消息。",
                    done,
                )
                % {"n": done},
                messages.SUCCESS,
            )
        if chosen - done:
            self.message_user(
                request,
                ngettext(
                    "%(n)d 条消息不是“发送失败”状态，未重发。",
                    "%(n)d 条消息不是“发送失败”状态，未重发。",
                    chosen - done,
                )
                % {"n": chosen - done},
                messages.WARNING,
            )


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "object_type", "object_id", "deadline", "recipients"]
    list_filter = ["kind"]
    search_fields = ["object_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email", "sms", "language", "updated_at"]
    list_filter = ["email", "sms", "language"]
    raw_id_fields = ["user"]


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["title", "published_on", "expires_on", "pinned", "is_active"]
    list_filter = ["is_active", "pinned"]
    search_fields = ["title", "body"]
