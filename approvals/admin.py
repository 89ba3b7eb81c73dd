"""Django admin of the approvals app. One clearly marked section per area."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# ============================================================================================
# Register of delegated powers (register area)
# Changes of state go through approvals.services.register (audited); the admin edits drafts
# only, and publishes or retires through actions.
# ============================================================================================
from approvals.models import (
    BusinessCategory,
    DelegationInstrument,
    DelegationItem,
    LifeEvent,
    Material,
    Matter,
    RegisterImportJob,
)
from portal.errors import ActionError


@admin.register(LifeEvent)
class LifeEventAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "audience", "order", "is_active"]
    list_filter = ["is_active", "audience"]
    search_fields = ["code", "name"]


@admin.register(BusinessCategory)
class BusinessCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "ticket_prefix", "order", "is_active"]
    list_filter = ["is_active"]
    filter_horizontal = ["windows"]
    search_fields = ["code", "name"]


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0
    fields = [
        "order",
        "name",
        "form",
        "copies",
        "mandatory",
        "tolerated_missing",
        "blank_form",
        "sample_form",
    ]

    def _editable(self, obj) -> bool:
        return obj is None or obj.status == Matter.Status.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


@admin.register(Matter)
class MatterAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "version",
        "status",
        "valid_from",
        "valid_to",
        "kind",
        "delegation_mode",
        "handling_department",
    ]
    list_filter = [
        "status",
        "kind",
        "audience",
        "delegation_mode",
        "handling_department",
        "channel_online",
    ]
    search_fields = ["code", "name"]
    list_select_related = ["handling_department"]
    inlines = [MaterialInline]
    readonly_fields = [
        "code",
        "version",
        "status",
        "valid_from",
        "valid_to",
        "revision",
        "published_at",
        "published_by",
        "retired_at",
        "retire_reason",
        "created_at",
        "updated_at",
    ]
    actions = ["publish_today", "retire_today"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != Matter.Status.DRAFT:
            return [f.name for f in Matter._meta.concrete_fields]
        if obj is None:
            return [f for f in self.readonly_fields if f != "code"]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False  # drafts are discarded in the register pages; versions are history

    def save_model(self, request, obj, form, change):
        from approvals.services import register as services

        fields = {
            name: form.cleaned_data[name]
            for name in services.EDITABLE_FIELDS
            if name in form.cleaned_data
        }
        if change:
            updated = services.matter_update_draft(
                actor=request.user, matter=obj, revision=obj.revision, fields=fields
            )
        else:
            updated = services.matter_create(actor=request.user, code=obj.code, fields=fields)
        obj.pk, obj.revision = updated.pk, updated.revision

    def save_formset(self, request, form, formset, change):
        from portal import audit

        super().save_formset(request, form, formset, change)
        if formset.has_changed():
            audit.record(
                actor=request.user,
                action="register.matter.materials",
                obj=form.instance,
                after={"materials": list(form.instance.materials.values_list("name", flat=True))},
                note="admin",
            )

    @admin.action(description=_("发布所选草稿（今日生效）"))
    def publish_today(self, request, queryset):
        from approvals.services import register as services

        done = 0
        for matter in queryset.filter(status=Matter.Status.DRAFT):
            try:
                services.matter_publish(
                    actor=request.user, matter=matter, valid_from=timezone.localdate()
                )
                done += 1
            except ActionError as exc:
                self.message_user(request, f"{matter.code}：{exc.message}", messages.ERROR)
        self.message_user(request, _("已发布 %(n)s 个版本。") % {"n": done})

    @admin.action(description=_("停用所选版本（今日起停止办理）"))
    def retire_today(self, request, queryset):
        from approvals.services import register as services

        done = 0
        for matter in queryset.filter(status=Matter.Status.PUBLISHED):
            try:
                services.matter_retire(
                    actor=request.user,
                    matter=matter,
                    effective=timezone.localdate(),
                    reason=str(_("管理后台停用")),
                )
                done += 1
            except ActionError as exc:
                self.message_user(request, f"{matter.code}：{exc.message}", messages.ERROR)
        self.message_user(request, _("已停用 %(n)s 个版本。") % {"n": done})


class DelegationItemInline(admin.TabularInline):
    model = DelegationItem
    extra = 0
    fields = ["order", "action", "code", "matter", "note"]
    readonly_fields = ["order", "action", "code", "matter", "note"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # items are added through the register pages (checked by the service)


@admin.register(DelegationInstrument)
class DelegationInstrumentAdmin(admin.ModelAdmin):
    list_display = [
        "document_number",
        "title",
        "issuing_authority",
        "effective_date",
        "end_date",
        "status",
    ]
    list_filter = ["status", "issuing_authority"]
    search_fields = ["document_number", "title"]
    inlines = [DelegationItemInline]
    readonly_fields = ["status", "created_by", "created_at", "applied_at", "applied_by"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != DelegationInstrument.Status.DRAFT:
            return [f.name for f in DelegationInstrument._meta.concrete_fields]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        from approvals.services import register as services

        fields = {
            name: form.cleaned_data[name]
            for name in services.INSTRUMENT_FIELDS
            if name in form.cleaned_data
        }
        handover = form.cleaned_data.get("handover_list") or None
        if change:
            saved = services.instrument_update(
                actor=request.user, instrument=obj, fields=fields, handover_list=handover
            )
        else:
            saved = services.instrument_create(
                actor=request.user, fields=fields, handover_list=handover
            )
        obj.pk = saved.pk


@admin.register(RegisterImportJob)
class RegisterImportJobAdmin(admin.ModelAdmin):
    list_display = ["file_name", "status", "progress", "created_by", "created_at", "applied_at"]
    list_filter = ["status"]
    search_fields = ["file_name", "file_sha256"]
    exclude = ["source"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in RegisterImportJob._meta.concrete_fields if f.name != "source"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# ============================================================================================
# (other areas: add your section below)
# ============================================================================================
