"""The register in the API (/api/v1/): reading is open to everyone (versions in force), writing
is for register administrators. Thin: serializers in, services and selectors do the work."""

from datetime import date

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals import register_io
from approvals.models import (
    BusinessCategory,
    DelegationInstrument,
    DelegationItem,
    Material,
    Matter,
    RegisterImportJob,
)
from approvals.models.register import CHANNELS
from approvals.selectors import register as sel
from approvals.services import register as services
from portal import audit, roles
from portal.api_errors import ServiceError
from portal.api_fields import BoundedModelSerializer, BoundedSerializer, DisplayField
from portal.models import Department

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_register_admin(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or user.has_role(roles.REGISTER_ADMIN))
    )


class IsRegisterAdmin(permissions.BasePermission):
    message = "只有事项清单管理员可以执行此操作。"

    def has_permission(self, request, view) -> bool:
        return is_register_admin(request.user)


class ReadOnlyOrRegisterAdmin(permissions.BasePermission):
    message = IsRegisterAdmin.message

    def has_permission(self, request, view) -> bool:
        return request.method in permissions.SAFE_METHODS or is_register_admin(request.user)


def _date_param(request, name: str) -> date | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ServiceError(
            _("日期格式应为 YYYY-MM-DD。"),
            code="invalid_date",
            fields={name: [_("日期格式应为 YYYY-MM-DD。")]},
        ) from None


# --- serializers ---------------------------------------------------------------------------


class DepartmentRefSerializer(BoundedModelSerializer):
    class Meta:
        model = Department
        fields = ["code", "name"]


class CategoryRefSerializer(BoundedModelSerializer):
    class Meta:
        model = BusinessCategory
        fields = ["code", "name"]


class MaterialSerializer(BoundedModelSerializer):
    form_display = DisplayField(source="get_form_display", read_only=True)
    blank_form_url = serializers.SerializerMethodField()
    sample_form_url = serializers.SerializerMethodField()

    class Meta:
        model = Material
        fields = [
            "id",
            "name",
            "form",
            "form_display",
            "copies",
            "mandatory",
            "tolerated_missing",
            "notes",
            "order",
            "blank_form_url",
            "sample_form_url",
        ]

    def _url(self, obj, which) -> str | None:
        if not getattr(obj, f"{which}_form"):
            return None
        path = reverse("approvals:guide-material-form", args=[obj.matter.code, obj.pk, which])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_blank_form_url(self, obj) -> str | None:
        return self._url(obj, "blank")

    def get_sample_form_url(self, obj) -> str | None:
        return self._url(obj, "sample")


class StageSerializer(BoundedSerializer):
    name = serializers.CharField()
    who = serializers.CharField(allow_blank=True, required=False)
    days = serializers.IntegerField(allow_null=True, required=False)


class MatterListSerializer(BoundedModelSerializer):
    kind_display = DisplayField(source="get_kind_display", read_only=True)
    delegation_mode_display = DisplayField(source="get_delegation_mode_display", read_only=True)
    handling_department = DepartmentRefSerializer(read_only=True)
    channels = serializers.ListField(child=serializers.CharField(), read_only=True)
    guide_url = serializers.SerializerMethodField()

    class Meta:
        model = Matter
        fields = [
            "code",
            "version",
            "name",
            "kind",
            "kind_display",
            "delegation_mode",
            "delegation_mode_display",
            "handling_department",
            "statutory_days",
            "committed_days",
            "fee_free",
            "channels",
            "special_lane",
            "valid_from",
            "valid_to",
            "guide_url",
        ]

    def get_guide_url(self, obj) -> str:
        path = reverse("approvals:guide-matter", args=[obj.code])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class MatterDetailSerializer(MatterListSerializer):
    delegating_department = DepartmentRefSerializer(read_only=True)
    category = CategoryRefSerializer(read_only=True)
    stages = serializers.SerializerMethodField()
    materials = MaterialSerializer(many=True, read_only=True)

    class Meta(MatterListSerializer.Meta):
        fields = [
            *MatterListSerializer.Meta.fields,
            "status",
            "delegating_department",
            "category",
            "legal_basis",
            "warning_days",
            "suspension_allowed",
            "extension_allowed",
            "max_extension_days",
            "fee_amount",
            "fee_basis",
            "stages",
            "materials",
        ]

    @extend_schema_field(StageSerializer(many=True))
    def get_stages(self, obj) -> list[dict]:
        return obj.stage_list()


class MatterVersionSerializer(MatterDetailSerializer):
    """A version as administrators see it (any status)."""

    class Meta(MatterDetailSerializer.Meta):
        fields = [
            "id",
            *MatterDetailSerializer.Meta.fields,
            "revision",
            "change_note",
            "published_at",
            "retired_at",
            "retire_reason",
        ]


class MaterialInputSerializer(BoundedSerializer):
    id = serializers.IntegerField(required=False, help_text="an existing material to keep")
    name = serializers.CharField(max_length=200)
    form = serializers.ChoiceField(choices=Material.Form.choices)
    copies = serializers.IntegerField(min_value=1, max_value=99, default=1)
    mandatory = serializers.BooleanField(default=True)
    tolerated_missing = serializers.BooleanField(default=False)
    notes = serializers.CharField(allow_blank=True, required=False, default="")


class MatterWriteSerializer(BoundedSerializer):
    """The editable fields of a draft. Departments and category by code."""

    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Matter.Kind.choices)
    delegation_mode = serializers.ChoiceField(choices=Matter.DelegationMode.choices)
    delegating_department = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.all(), allow_null=True, required=False
    )
    handling_department = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.all()
    )
    category = serializers.SlugRelatedField(
        slug_field="code",
        queryset=BusinessCategory.objects.all(),
        allow_null=True,
        required=False,
    )
    legal_basis = serializers.CharField(allow_blank=True, required=False)
    statutory_days = serializers.IntegerField(min_value=1, max_value=3650)
    committed_days = serializers.IntegerField(min_value=1, max_value=3650)
    warning_days = serializers.IntegerField(min_value=1, allow_null=True, required=False)
    suspension_allowed = serializers.BooleanField(required=False)
    extension_allowed = serializers.BooleanField(required=False)
    max_extension_days = serializers.IntegerField(min_value=0, required=False)
    fee_free = serializers.BooleanField(required=False)
    fee_amount = serializers.DecimalField(
        max_digits=10, decimal_places=2, allow_null=True, required=False
    )
    fee_basis = serializers.CharField(allow_blank=True, required=False)
    channel_hall = serializers.BooleanField(required=False)
    channel_online = serializers.BooleanField(required=False)
    channel_self_service = serializers.BooleanField(required=False)
    channel_proxy = serializers.BooleanField(required=False)
    special_lane = serializers.CharField(max_length=32, allow_blank=True, required=False)
    stages = StageSerializer(many=True, required=False)
    change_note = serializers.CharField(max_length=200, allow_blank=True, required=False)
    materials = MaterialInputSerializer(many=True, required=False)

    def fields_and_materials(self) -> tuple[dict, list[dict] | None]:
        data = dict(self.validated_data)
        data.pop("code", None)
        data.pop("revision", None)
        materials = data.pop("materials", None)
        if "stages" in data:
            data["stages"] = [dict(s) for s in data["stages"]]
        return data, [dict(m) for m in materials] if materials is not None else None


class MatterCreateSerializer(MatterWriteSerializer):
    code = serializers.CharField(max_length=64)


class MatterUpdateSerializer(MatterWriteSerializer):
    revision = serializers.IntegerField(
        help_text="the revision you edited; a newer one on the server answers 409"
    )


class PublishSerializer(BoundedSerializer):
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(required=False, allow_null=True)


class RetireSerializer(BoundedSerializer):
    effective = serializers.DateField(
        help_text="first day the version is no longer in force; it ends the day before"
    )
    reason = serializers.CharField(max_length=200)


class HistorySerializer(BoundedSerializer):
    version = serializers.IntegerField()
    status = serializers.CharField()
    valid_from = serializers.DateField(allow_null=True)
    valid_to = serializers.DateField(allow_null=True)
    delegation_mode = serializers.CharField()
    delegating_department = DepartmentRefSerializer(allow_null=True)
    handling_department = DepartmentRefSerializer()
    instruments = serializers.ListField(child=serializers.DictField())


# --- matters -----------------------------------------------------------------------------------

GUIDE_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="part of the name, or a code prefix"),
    OpenApiParameter("department", OpenApiTypes.STR, description="department code"),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=Matter.Kind.values),
    OpenApiParameter("channel", OpenApiTypes.STR, enum=[c for c, _l in CHANNELS]),
    OpenApiParameter("category", OpenApiTypes.STR, description="business category code"),
    OpenApiParameter("on", OpenApiTypes.DATE, description="in force on this day (default today)"),
]


class MatterViewSet(viewsets.ReadOnlyModelViewSet):
    """The register as the public sees it: the version of each matter in force (today, or on
    ``on``), searchable like the service guide."""

    permission_classes = [permissions.AllowAny]
    filter_backends: list = []
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    queryset = Matter.objects.none()

    def get_serializer_class(self):
        return MatterListSerializer if self.action == "list" else MatterDetailSerializer

    def get_queryset(self):
        params = self.request.query_params
        return sel.guide_search(
            q=params.get("q", ""),
            department=params.get("department", ""),
            kind=params.get("kind", ""),
            channel=params.get("channel", ""),
            category=params.get("category", ""),
            on=_date_param(self.request, "on"),
        )

    def get_object(self):
        matter = sel.matter_in_force(self.kwargs["code"], on=_date_param(self.request, "on"))
        if matter is None:
            from django.http import Http404

            raise Http404
        return matter

    @extend_schema(parameters=GUIDE_PARAMETERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[GUIDE_PARAMETERS[-1]])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(responses=HistorySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, code=None):
        """Who held the power when: every published or retired version, in date order."""
        rows = sel.matter_history(code)
        if not rows and not Matter.objects.filter(code=code).exists():
            from django.http import Http404

            raise Http404
        data = [
            {
                "version": r["version"],
                "status": r["status"],
                "valid_from": r["valid_from"],
                "valid_to": r["valid_to"],
                "delegation_mode": r["delegation_mode"],
                "delegating_department": r["delegating_department"],
                "handling_department": r["handling_department"],
                "instruments": [
                    {
                        "document_number": i.instrument.document_number,
                        "title": i.instrument.title,
                        "action": i.action,
                        "effective_date": i.instrument.effective_date.isoformat(),
                    }
                    for i in r["items"]
                ],
            }
            for r in rows
        ]
        return Response(HistorySerializer(data, many=True).data)


class MatterVersionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Every version of every matter, for register administrators: create and edit drafts,
    publish, retire, start a new version."""

    permission_classes = [IsRegisterAdmin]
    serializer_class = MatterVersionSerializer
    filterset_fields = ["code", "status", "kind", "delegation_mode"]

    def get_queryset(self):
        return (
            Matter.objects.select_related(
                "handling_department", "delegating_department", "category"
            )
            .prefetch_related("materials")
            .order_by("code", "version")
        )

    def _respond(self, matter, code=status.HTTP_200_OK):
        matter = self.get_queryset().get(pk=matter.pk)
        return Response(self.get_serializer(matter).data, status=code)

    @extend_schema(request=MatterCreateSerializer, responses={201: MatterVersionSerializer})
    def create(self, request):
        """A new matter: version 1 of a new code, as a draft."""
        serializer = MatterCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields, materials = serializer.fields_and_materials()
        matter = services.matter_create(
            actor=request.user,
            code=serializer.validated_data["code"],
            fields=fields,
            materials=materials,
        )
        return self._respond(matter, status.HTTP_201_CREATED)

    @extend_schema(request=MatterUpdateSerializer, responses=MatterVersionSerializer)
    def partial_update(self, request, pk=None):
        """Edit a draft (409 when it was published or edited by someone else meanwhile)."""
        matter = self.get_object()
        serializer = MatterUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "revision" not in serializer.validated_data:
            raise ServiceError(
                _("请提供所编辑的修订号 revision。"),
                code="revision_required",
                fields={"revision": [_("必填。")]},
            )
        fields, materials = serializer.fields_and_materials()
        matter = services.matter_update_draft(
            actor=request.user,
            matter=matter,
            revision=serializer.validated_data["revision"],
            fields=fields,
            materials=materials,
        )
        return self._respond(matter)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        """Discard a draft."""
        services.matter_discard_draft(actor=request.user, matter=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=PublishSerializer, responses=MatterVersionSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish a draft from ``valid_from``; the version in force then ends the day before."""
        serializer = PublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        matter = services.matter_publish(
            actor=request.user,
            matter=self.get_object(),
            valid_from=serializer.validated_data["valid_from"],
            valid_to=serializer.validated_data.get("valid_to"),
        )
        return self._respond(matter)

    @extend_schema(request=RetireSerializer, responses=MatterVersionSerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        serializer = RetireSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        matter = services.matter_retire(
            actor=request.user,
            matter=self.get_object(),
            effective=serializer.validated_data["effective"],
            reason=serializer.validated_data["reason"],
        )
        return self._respond(matter)

    @extend_schema(request=None, responses={201: MatterVersionSerializer})
    @action(detail=True, methods=["post"], url_path="new-draft")
    def new_draft(self, request, pk=None):
        """A new draft version of this matter's code, copied from its newest version."""
        draft = services.matter_new_draft(actor=request.user, code=self.get_object().code)
        return self._respond(draft, status.HTTP_201_CREATED)


# --- business categories -----------------------------------------------------------------------


class BusinessCategorySerializer(BoundedModelSerializer):
    windows = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)

    class Meta:
        model = BusinessCategory
        fields = ["code", "name", "ticket_prefix", "windows", "order", "is_active"]


class BusinessCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = BusinessCategory.objects.prefetch_related("windows")
    serializer_class = BusinessCategorySerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "code"
    filterset_fields = ["is_active"]


# --- delegation instruments ------------------------------------------------------------------


class DelegationItemSerializer(BoundedModelSerializer):
    matter_version = serializers.IntegerField(source="matter.version", read_only=True, default=None)

    class Meta:
        model = DelegationItem
        fields = ["id", "action", "code", "matter_version", "note", "order"]
        read_only_fields = ["id", "matter_version", "order"]


class DelegationInstrumentSerializer(BoundedModelSerializer):
    items = DelegationItemSerializer(many=True, read_only=True)
    has_handover_list = serializers.SerializerMethodField()

    class Meta:
        model = DelegationInstrument
        fields = [
            "id",
            "title",
            "document_number",
            "issuing_authority",
            "effective_date",
            "end_date",
            "notes",
            "status",
            "has_handover_list",
            "applied_at",
            "items",
        ]
        read_only_fields = ["id", "status", "applied_at", "items", "has_handover_list"]

    def get_has_handover_list(self, obj) -> bool:
        return bool(obj.handover_list)


class DelegationInstrumentWriteSerializer(BoundedSerializer):
    title = serializers.CharField(max_length=200)
    document_number = serializers.CharField(max_length=100)
    issuing_authority = serializers.CharField(max_length=128)
    effective_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(allow_blank=True, required=False)
    handover_list = serializers.FileField(required=False)


class DelegationItemWriteSerializer(BoundedSerializer):
    action = serializers.ChoiceField(choices=DelegationItem.Action.choices)
    code = serializers.CharField(max_length=64)
    note = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")


class DelegationInstrumentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Delegation instruments (赋权书): readable by everyone, kept by register administrators.
    Applying one publishes, adjusts or takes back all its matters on its effective date."""

    permission_classes = [ReadOnlyOrRegisterAdmin]
    serializer_class = DelegationInstrumentSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_fields = ["status"]

    def get_queryset(self):
        return DelegationInstrument.objects.prefetch_related("items__matter").order_by(
            "-effective_date", "-id"
        )

    def _respond(self, instrument, code=status.HTTP_200_OK):
        instrument = self.get_queryset().get(pk=instrument.pk)
        return Response(self.get_serializer(instrument).data, status=code)

    @extend_schema(
        request=DelegationInstrumentWriteSerializer,
        responses={201: DelegationInstrumentSerializer},
    )
    def create(self, request):
        serializer = DelegationInstrumentWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        handover = data.pop("handover_list", None)
        instrument = services.instrument_create(
            actor=request.user, fields=data, handover_list=handover
        )
        return self._respond(instrument, status.HTTP_201_CREATED)

    @extend_schema(
        request=DelegationInstrumentWriteSerializer, responses=DelegationInstrumentSerializer
    )
    def partial_update(self, request, pk=None):
        serializer = DelegationInstrumentWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        handover = data.pop("handover_list", None)
        instrument = services.instrument_update(
            actor=request.user, instrument=self.get_object(), fields=data, handover_list=handover
        )
        return self._respond(instrument)

    @extend_schema(
        request=DelegationItemWriteSerializer, responses={201: DelegationInstrumentSerializer}
    )
    @action(detail=True, methods=["post"])
    def items(self, request, pk=None):
        """List a matter in the instrument: delegate, adjust (both need a draft version of the
        code) or take back (needs a version in force on the effective date)."""
        serializer = DelegationItemWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instrument = self.get_object()
        services.instrument_add_item(
            actor=request.user, instrument=instrument, **serializer.validated_data
        )
        return self._respond(instrument, status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses=DelegationInstrumentSerializer,
        parameters=[OpenApiParameter("item_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["delete"], url_path=r"items/(?P<item_id>\d+)")
    def remove_item(self, request, pk=None, item_id=None):
        instrument = self.get_object()
        item = get_object_or_404(DelegationItem, pk=item_id, instrument=instrument)
        services.instrument_remove_item(actor=request.user, item=item)
        return self._respond(instrument)

    @extend_schema(request=None, responses=DelegationInstrumentSerializer)
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        """Register the instrument as in effect (all items, or none; 409 if already applied)."""
        instrument = services.instrument_apply(actor=request.user, instrument=self.get_object())
        return self._respond(instrument)


# --- spreadsheet import and export ----------------------------------------------------------------


class ProblemSerializer(BoundedSerializer):
    sheet = serializers.CharField()
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField()
    message = serializers.CharField()


class RegisterImportJobSerializer(BoundedModelSerializer):
    errors = ProblemSerializer(many=True, read_only=True)
    report = serializers.DictField(read_only=True)

    class Meta:
        model = RegisterImportJob
        fields = [
            "public_id",
            "file_name",
            "file_size",
            "status",
            "progress",
            "progress_note",
            "retire_missing",
            "retired_versions",
            "undone_at",
            "errors",
            "report",
            "failure",
            "created_at",
            "applied_at",
        ]
        read_only_fields = fields


class RegisterImportUploadSerializer(BoundedSerializer):
    file = serializers.FileField()
    retire_missing = serializers.BooleanField(
        default=False,
        help_text="retire the matters in force that the file does not list (explicit opt-in)",
    )


class RegisterImportApplySerializer(BoundedSerializer):
    retire_count = serializers.IntegerField(
        required=False, help_text="the number of matters the preview retires, typed in"
    )


class RegisterImportJobViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Spreadsheet imports: upload (the check and preview run in the background), follow the
    job, then confirm to apply (also in the background)."""

    permission_classes = [IsRegisterAdmin]
    serializer_class = RegisterImportJobSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    lookup_field = "public_id"
    filterset_fields = ["status"]

    def get_queryset(self):
        return RegisterImportJob.objects.defer("source").order_by("-created_at", "-id")

    @extend_schema(
        request=RegisterImportUploadSerializer, responses={202: RegisterImportJobSerializer}
    )
    def create(self, request):
        serializer = RegisterImportUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        job = services.import_job_create(
            actor=request.user,
            file_name=upload.name,
            content=upload.read(),
            retire_missing=serializer.validated_data["retire_missing"],
            language=get_language() or "zh-hans",
        )
        job = self.get_queryset().get(pk=job.pk)
        return Response(self.get_serializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=RegisterImportApplySerializer, responses={202: RegisterImportJobSerializer}
    )
    @action(detail=True, methods=["post"])
    def apply(self, request, public_id=None):
        """Confirm the preview; 409 unless the job is waiting for confirmation. When the
        preview retires more than the configured share of the register, ``retire_count`` must
        be the number it retires (400 ``retire_confirmation`` otherwise)."""
        job = services.import_job_request_apply(
            actor=request.user,
            job=self.get_object(),
            retire_count=request.data.get("retire_count"),
        )
        job = self.get_queryset().get(pk=job.pk)
        return Response(self.get_serializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: RegisterImportJobSerializer})
    @action(detail=True, methods=["post"], url_path="undo-retirements")
    def undo_retirements(self, request, public_id=None):
        """Bring what the import retired back in force, as new versions (once, within
        REGISTER_IMPORT_UNDO_DAYS days; 409 when already undone)."""
        services.import_job_undo_retirements(actor=request.user, job=self.get_object())
        job = self.get_queryset().get(pk=self.get_object().pk)
        return Response(self.get_serializer(job).data)


class RegisterExportView(APIView):
    """The register as a district-style .xlsx (sheets 事项 and 材料)."""

    permission_classes = [IsRegisterAdmin]

    @extend_schema(
        parameters=[
            OpenApiParameter("on", OpenApiTypes.DATE, description="versions in force that day"),
            OpenApiParameter(
                "latest", OpenApiTypes.BOOL, description="newest version of each code instead"
            ),
        ],
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request):
        on = _date_param(request, "on")
        latest = request.query_params.get("latest") in ("1", "true", "True")
        content = register_io.export_register(on=on, latest=latest)
        audit.record(
            actor=request.user,
            action="register.export",
            obj=None,
            note=f"api on={on or 'today'} latest={latest}",
        )
        name = f"register-{(on or timezone.localdate()):%Y%m%d}.xlsx"
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response
