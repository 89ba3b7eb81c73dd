"""Django admin of the grid app."""

# ============================================================================================
# Incidents and their categories (issue 12). Read-only here: every change goes through
# grid.services (the category pages at /grid/categories/, the incident pages and API).
# ============================================================================================
from django.contrib import admin

from grid.models import Category, CategoryBranch, Incident, IncidentStep


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CategoryBranch)
class CategoryBranchAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "network", "order", "is_active"]


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdmin):
    list_display = [
        "code",
        "version",
        "name",
        "branch",
        "urgency",
        "limit_unit",
        "verify_limit",
        "accept_limit",
        "handle_limit",
        "max_handle_limit",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["branch", "urgency", "limit_unit"]
    search_fields = ["code", "name"]


class IncidentStepInline(admin.TabularInline):
    model = IncidentStep
    extra = 0
    can_delete = False
    fields = ["at", "actor_label", "action", "from_state", "to_state", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ["number", "category", "source", "state", "outcome", "grid", "reported_at"]
    list_filter = ["state", "source", "outcome", "urgency"]
    search_fields = ["number", "external_number"]
    date_hierarchy = "reported_at"
    ordering = ["-reported_at", "-id"]
    list_select_related = ["category", "grid"]
    exclude = ["reporter_name", "reporter_mobile"]  # personal data: the audited pages only
    raw_id_fields = ["reporter", "handler", "duplicate_of", "village", "grid", "micro_grid"]
    inlines = [IncidentStepInline]


# ============================================================================================
# The departments' on-call roster (部门值班). Read-only here: departments' heads and the centre
# keep it at /grid/on-call/ (grid.services.oncall, audited).
# ============================================================================================
from grid.models import DepartmentOnCall  # noqa: E402


@admin.register(DepartmentOnCall)
class DepartmentOnCallAdmin(ReadOnlyAdmin):
    list_display = ["day", "department", "user", "is_lead", "note", "created_by"]
    list_filter = ["department", "day"]
    date_hierarchy = "day"
