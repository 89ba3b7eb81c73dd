"""/api/v1/applications/: thin DRF views over the application services and selectors."""

from functools import cached_property, partial

import django_filters
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, parsers, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.pagination import DjangoPaginator, PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals.models import (
    Application,
    ApplicationMaterial,
    Extension,
    MaterialFile,
    Matter,
    Notice,
    Suspension,
)
from approvals.selectors import applications as sel
from approvals.services import applications as svc
from portal.api_fields import BoundedModelSerializer, BoundedSerializer, DisplayField
from portal.errors import ActionError, NotFound
from portal.models import User
from portal.planner import joins_as_written
from portal.throttles import ScopedRateThrottle

REFERENCE_REGEX = r"(?:\d{6,32}|D[0-9a-f]{32})"


# --- serializers -----------------------------------------------------------------------------


class ClockSerializer(BoundedSerializer):
    status = serializers.CharField()
    label = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)
    statutory_due_date = serializers.DateField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True)
    days_used = serializers.IntegerField(allow_null=True)
    committed_days = serializers.IntegerField()
    paused = serializers.BooleanField()
    unconfirmed = serializers.BooleanField(
        help_text="the due date falls in a year whose holidays are not confirmed"
    )


class ApplicationListSerializer(BoundedModelSerializer):
    reference = serializers.CharField(read_only=True)
    matter_code = serializers.CharField(source="matter.code", read_only=True)
    matter_name = serializers.CharField(source="matter.name", read_only=True)
    department = serializers.CharField(source="department.code", read_only=True)
    state_label = DisplayField(source="get_state_display", read_only=True)
    clock_status = serializers.CharField(read_only=True)
    handler = serializers.CharField(source="handler.display_name", read_only=True, default=None)

    class Meta:
        model = Application
        fields = [
            "reference",
            "number",
            "state",
            "state_label",
            "outcome",
            "matter_code",
            "matter_name",
            "department",
            "channel",
            "applicant_name",
            "submitted_at",
            "accepted_on",
            "due_date",
            "statutory_due_date",
            "clock_status",
            "handler",
        ]


class MaterialFileSerializer(BoundedModelSerializer):
    class Meta:
        model = MaterialFile
        fields = ["id", "original_name", "content_type", "size", "submission_round", "uploaded_at"]


class ApplicationMaterialSerializer(BoundedModelSerializer):
    files = MaterialFileSerializer(many=True, read_only=True)

    class Meta:
        model = ApplicationMaterial
        fields = [
            "id",
            "name",
            "mandatory",
            "tolerated_missing_allowed",
            "status",
            "problem",
            "promised_on",
            "commitment",
            "supplied_on",
            "files",
        ]


class ApplicationHistorySerializer(BoundedSerializer):
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor_label")
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    note = serializers.CharField()


class NoticeSerializer(BoundedModelSerializer):
    kind_label = DisplayField(source="get_kind_display")

    class Meta:
        model = Notice
        fields = ["id", "kind", "kind_label", "number", "issued_at"]


class ExtensionSerializer(BoundedModelSerializer):
    class Meta:
        model = Extension
        fields = ["id", "days", "reason", "status", "requested_at", "decided_at", "decision_note"]


class ApplicationDetailSerializer(ApplicationListSerializer):
    clock = serializers.SerializerMethodField()
    materials = ApplicationMaterialSerializer(many=True, read_only=True)
    history = ApplicationHistorySerializer(many=True, read_only=True)
    notices = NoticeSerializer(many=True, read_only=True)
    extensions = ExtensionSerializer(many=True, read_only=True)
    applicant_id_number = serializers.SerializerMethodField()
    village = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta(ApplicationListSerializer.Meta):
        fields = [
            *ApplicationListSerializer.Meta.fields,
            "applicant_kind",
            "applicant_id_number",
            "applicant_mobile",
            "organisation_name",
            "credit_code",
            "address",
            "village",
            "details",
            "declaration_accepted",
            "received_on",
            "deemed_acceptance_on",
            "deemed_accepted",
            "decided_on",
            "decision_reason",
            "decision_basis",
            "refusal_reason",
            "refusal_basis",
            "release_due_on",
            "released_on",
            "release_method",
            "tracking_number",
            "extension_days",
            "paused_days",
            "clock",
            "materials",
            "history",
            "notices",
            "extensions",
        ]

    def get_clock(self, obj) -> dict:
        clock = sel.clock_for(obj)
        return ClockSerializer({**clock.__dict__, "label": str(clock.label)}).data

    def get_applicant_id_number(self, obj) -> str:
        from portal.idnumber import mask

        return mask(obj.applicant_id_number) if obj.applicant_id_number else ""


class CreateSerializer(BoundedSerializer):
    bound_model = Application

    matter_code = serializers.CharField()
    channel = serializers.ChoiceField(choices=Application.Channel.choices)
    applicant_id_number = serializers.CharField(
        required=False, allow_blank=True, help_text="hall and proxy: the resident"
    )
    proxy_consent = serializers.CharField(required=False, allow_blank=True)
    applicant_kind = serializers.ChoiceField(
        choices=Application.ApplicantKind.choices, required=False
    )
    organisation_name = serializers.CharField(required=False, allow_blank=True)
    credit_code = serializers.CharField(required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True)
    village = serializers.CharField(
        required=False, allow_blank=True, help_text="the applicant's village (community) code"
    )
    details = serializers.JSONField(required=False)


class DraftSerializer(BoundedSerializer):
    bound_model = Application

    applicant_kind = serializers.ChoiceField(
        choices=Application.ApplicantKind.choices, required=False
    )
    organisation_name = serializers.CharField(required=False, allow_blank=True)
    credit_code = serializers.CharField(required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True)
    village = serializers.CharField(
        required=False, allow_blank=True, help_text="the applicant's village (community) code"
    )
    applicant_mobile = serializers.CharField(required=False)
    details = serializers.JSONField(required=False)
    declaration_accepted = serializers.BooleanField(required=False)


class CheckSerializer(BoundedSerializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(
        choices=[c for c in ApplicationMaterial.Status.choices if c[0] != "pending"]
    )
    problem = serializers.CharField(required=False, allow_blank=True)
    promised_on = serializers.DateField(required=False, allow_null=True)
    commitment = serializers.CharField(required=False, allow_blank=True)


class IntakeSerializer(BoundedSerializer):
    checks = CheckSerializer(many=True, required=False)


class CorrectionSerializer(IntakeSerializer):
    extra_items = serializers.ListField(child=serializers.CharField(), required=False)


class ReasonBasisSerializer(BoundedSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    basis = serializers.CharField(required=False, allow_blank=True, default="")


class DecideSerializer(ReasonBasisSerializer):
    outcome = serializers.ChoiceField(choices=Application.Outcome.choices)


class SuspendSerializer(BoundedSerializer):
    kind = serializers.ChoiceField(choices=Suspension.Kind.choices)
    reason = serializers.CharField()
    expected_days = serializers.IntegerField(min_value=1, max_value=365)


class ExtensionRequestSerializer(BoundedSerializer):
    days = serializers.IntegerField(min_value=1)
    reason = serializers.CharField()


class ExtensionDecisionSerializer(BoundedSerializer):
    extension = serializers.IntegerField(
        required=False, help_text="defaults to the pending request"
    )
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ForwardSerializer(BoundedSerializer):
    opinion = serializers.CharField()


class ReleaseSerializer(BoundedSerializer):
    bound_model = Application

    method = serializers.ChoiceField(choices=Application.ReleaseMethod.choices)
    tracking_number = serializers.CharField(required=False, allow_blank=True, default="")


class WithdrawSerializer(BoundedSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReassignSerializer(BoundedSerializer):
    reviewer = serializers.CharField(help_text="user name of a reviewer of the department")


class UploadSerializer(BoundedSerializer):
    file = serializers.FileField()


# --- filters ---------------------------------------------------------------------------------


class ApplicationFilter(django_filters.FilterSet):
    # A plain column: no join can repeat a row, so no DISTINCT (which would make the page's
    # count a count over a sorted subquery of every matching application).
    state = django_filters.MultipleChoiceFilter(
        choices=Application._meta.get_field("state").choices, distinct=False
    )
    clock_status = django_filters.CharFilter(method="filter_clock")
    matter = django_filters.CharFilter(field_name="matter__code")
    department = django_filters.CharFilter(field_name="department__code")
    channel = django_filters.ChoiceFilter(choices=Application.Channel.choices)
    submitted_from = django_filters.DateFilter(field_name="submitted_at", lookup_expr="date__gte")
    submitted_to = django_filters.DateFilter(field_name="submitted_at", lookup_expr="date__lte")

    class Meta:
        model = Application
        fields = ["state", "matter", "department", "channel"]

    def filter_clock(self, queryset, name, value):
        return queryset.filter(clock_status=value)


# --- pagination ------------------------------------------------------------------------------


class _CountedPaginator(DjangoPaginator):
    def __init__(self, *args, counter=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._counter = counter

    @cached_property
    def count(self):
        return self._counter() if self._counter is not None else super().count


class ScopedCountPagination(PageNumberPagination):
    """The same pages and fields (count, next, previous, results); the count asks the view
    (``count_list``): the caller's scope counted arm by arm (selectors.applications
    .scope_count) instead of one OR that PostgreSQL can only count by visiting every row."""

    def paginate_queryset(self, queryset, request, view=None):
        counter = getattr(view, "count_list", None)
        self.django_paginator_class = partial(_CountedPaginator, counter=counter)
        return super().paginate_queryset(queryset, request, view)


# --- views -----------------------------------------------------------------------------------


def _detail_reads(queryset):
    # The clock's status is worked out in _answer from the row (sel.clock_status_of).
    return queryset.select_related("matter", "department", "handler", "village").prefetch_related(
        "materials__files", "history", "notices", "extensions"
    )


def _key_and_state(queryset):
    return queryset.select_related(None).only("id", "state")


def _body(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# The columns ApplicationListSerializer reads (issue 19: the list loaded every column of the
# application, its matter, department and handler — some two hundred per row — to show
# sixteen; building those wide rows was a fifth of the list's CPU). The pinned query counts
# fail if the serializer reaches for one left out.
LIST_COLUMNS = (
    "id",
    "public_id",
    "number",
    "state",
    "outcome",
    "channel",
    "applicant_name",
    "submitted_at",
    "accepted_on",
    "due_date",
    "statutory_due_date",
    "matter__code",
    "matter__name",
    "department__code",
    "handler__real_name",
    "handler__first_name",
    "handler__last_name",
    "handler__username",
)


class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Applications in the caller's scope. Transitions are POST actions; a transition not allowed
    in the current state answers 400 (`invalid_transition`), one the caller's role may not do
    403, one that lost a race 409; objects outside the caller's scope are 404."""

    lookup_field = "reference"
    lookup_value_regex = REFERENCE_REGEX
    filterset_class = ApplicationFilter
    serializer_class = ApplicationListSerializer
    pagination_class = ScopedCountPagination

    @cached_property
    def _arms(self):
        return sel.scope_arms(self.request.user)

    def count_list(self) -> int:
        """The list's count: its filters on each arm of the caller's scope."""
        today = timezone.localdate()
        if "clock_status" not in self.request.query_params:
            # no filter reads the clock: its CASE expressions, built for each arm, were pruned
            # from the counts' SQL anyway (issue 19)
            return sel.scope_count(self.request.user, self.filter_queryset, self._arms)
        return sel.scope_count(
            self.request.user,
            lambda qs: self.filter_queryset(qs.with_clock_status(today)),
            self._arms,
        )

    def get_queryset(self):
        arms = self._arms if self.action == "list" else False
        qs = sel.visible_applications(self.request.user, arms).with_clock_status(
            timezone.localdate()
        )
        if self.action == "list":
            return (
                qs.select_related("matter", "department", "handler")
                .only(*LIST_COLUMNS)
                .order_by("-submitted_at", "-id")
            )
        return qs

    def get_serializer_class(self):
        return ApplicationDetailSerializer if self.action != "list" else ApplicationListSerializer

    def get_object(self):
        return sel.application_get(self.request.user, self.kwargs["reference"])

    @extend_schema(responses=ApplicationDetailSerializer)
    @joins_as_written()
    def retrieve(self, request, *args, **kwargs):
        # The scope check and the detail's reads in one go (no second load of the row).
        found = sel.application_get(request.user, self.kwargs["reference"], _detail_reads)
        return self._answer(found)

    def _detail(self, application, status=200):
        # Everything the detail shows in a fixed number of queries: the related rows joined,
        # the lists prefetched (a query per material's files made the clerk's read before an
        # acceptance the slowest API call of the mixed load, issue 19).
        return self._answer(_detail_reads(Application.objects).get(pk=application.pk), status)

    def _answer(self, fresh, status=200):
        fresh.clock_status = sel.clock_status_of(fresh, timezone.localdate())
        return Response(
            ApplicationDetailSerializer(fresh, context={"request": self.request}).data,
            status=status,
        )

    @extend_schema(request=CreateSerializer, responses={201: ApplicationDetailSerializer})
    def create(self, request):
        data = _body(CreateSerializer, request)
        matter = (
            Matter.objects.filter(code=data["matter_code"], status=Matter.Status.PUBLISHED)
            .order_by("-valid_from")
            .first()
        )
        if matter is None:
            raise ActionError(
                _("事项不存在或未发布。"),
                code="matter_not_found",
                fields={"matter_code": _("事项不存在或未发布。")},
            )
        applicant = None
        if data["channel"] in (Application.Channel.HALL, Application.Channel.PROXY):
            id_number = (data.get("applicant_id_number") or "").upper()
            applicant = User.objects.filter(id_number=id_number).first() if id_number else None
            if applicant is None:
                raise ActionError(
                    _("请先登记申请人（按身份证号码查找）。"),
                    code="applicant_not_found",
                    fields={"applicant_id_number": _("没有找到该身份证号码的群众。")},
                )
        application = svc.application_create(
            actor=request.user,
            matter=matter,
            channel=data["channel"],
            applicant=applicant,
            proxy_consent=data.get("proxy_consent", ""),
            applicant_kind=data.get("applicant_kind", Application.ApplicantKind.PERSON),
            organisation_name=data.get("organisation_name", ""),
            credit_code=data.get("credit_code", ""),
            address=data.get("address", ""),
            village=data.get("village") or None,
            details=data.get("details") or {},
        )
        return self._detail(application, status=201)

    @extend_schema(request=DraftSerializer, responses=ApplicationDetailSerializer)
    def partial_update(self, request, reference=None):
        application = sel.application_get(request.user, self.kwargs["reference"], _key_and_state)
        fields = _body(DraftSerializer, request)
        if "village" in fields:
            fields["village"] = fields["village"] or None
        application = svc.application_update_draft(
            application=application, actor=request.user, **fields
        )
        return self._detail(application)

    def _transition(self, request, service, serializer_class=None, **extra):
        # The scope check reads the row's key and state only: every service locks and reads
        # the application again (with what it needs) and compares the state it was given.
        application = sel.application_get(request.user, self.kwargs["reference"], _key_and_state)
        data = _body(serializer_class, request) if serializer_class else {}
        data.update(extra)
        service(application=application, actor=request.user, **data)
        return self._detail(application)

    @extend_schema(request=None, responses=ApplicationDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, reference=None):
        return self._transition(request, svc.application_submit)

    @extend_schema(request=IntakeSerializer, responses=ApplicationDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, reference=None):
        return self._transition(request, svc.application_accept, IntakeSerializer)

    @extend_schema(request=CorrectionSerializer, responses=ApplicationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="request-correction")
    def request_correction(self, request, reference=None):
        return self._transition(request, svc.application_request_correction, CorrectionSerializer)

    @extend_schema(request=ReasonBasisSerializer, responses=ApplicationDetailSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request, reference=None):
        return self._transition(request, svc.application_refuse, ReasonBasisSerializer)

    @extend_schema(request=None, responses=ApplicationDetailSerializer)
    @action(detail=True, methods=["post"])
    def claim(self, request, reference=None):
        return self._transition(request, svc.application_claim)

    @extend_schema(request=SuspendSerializer, responses=ApplicationDetailSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, reference=None):
        return self._transition(request, svc.application_suspend, SuspendSerializer)

    @extend_schema(request=None, responses=ApplicationDetailSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, reference=None):
        return self._transition(request, svc.application_resume)

    @extend_schema(request=ExtensionRequestSerializer, responses=ApplicationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="request-extension")
    def request_extension(self, request, reference=None):
        return self._transition(request, svc.extension_request, ExtensionRequestSerializer)

    @extend_schema(request=ExtensionDecisionSerializer, responses=ApplicationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="approve-extension")
    def approve_extension(self, request, reference=None):
        application = self.get_object()
        data = _body(ExtensionDecisionSerializer, request)
        pending = application.extensions.filter(status=Extension.Status.PENDING)
        if data.get("extension"):
            pending = application.extensions.filter(pk=data["extension"])
        extension = pending.first()
        if extension is None:
            raise ActionError(_("没有待审批的延期申请。"), code="no_pending_extension")
        svc.extension_decide(
            extension=extension, actor=request.user, approve=data["approve"], note=data["note"]
        )
        return self._detail(application)

    @extend_schema(request=ForwardSerializer, responses=ApplicationDetailSerializer)
    @action(detail=True, methods=["post"])
    def forward(self, request, reference=None):
        return self._transition(request, svc.application_forward, ForwardSerializer)

    @extend_schema(request=DecideSerializer, responses=ApplicationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="record-district-decision")
    def record_district_decision(self, request, reference=None):
        return self._transition(request, svc.application_record_district_decision, DecideSerializer)

    @extend_schema(request=DecideSerializer, responses=ApplicationDetailSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, reference=None):
        return self._transition(request, svc.application_decide, DecideSerializer)

    @extend_schema(request=ReleaseSerializer, responses=ApplicationDetailSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, reference=None):
        return self._transition(request, svc.application_release, ReleaseSerializer)

    @extend_schema(
        request=WithdrawSerializer,
        responses={200: ApplicationDetailSerializer, 204: None},
        description="Withdraw a submitted application (200, its detail). A draft, never "
        "submitted, is discarded by its owner instead: 204, and it is gone.",
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, reference=None):
        application = self.get_object()
        data = _body(WithdrawSerializer, request)
        svc.application_withdraw(application=application, actor=request.user, **data)
        if application.pk is None:
            return Response(status=204)
        return self._detail(application)

    @extend_schema(request=ReassignSerializer, responses=ApplicationDetailSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request, reference=None):
        application = self.get_object()
        data = _body(ReassignSerializer, request)
        reviewer = User.objects.filter(username=data["reviewer"]).first()
        if reviewer is None:
            raise ActionError(
                _("没有该审查人员。"),
                code="reviewer_not_found",
                fields={"reviewer": _("没有该用户。")},
            )
        svc.application_reassign(application=application, actor=request.user, reviewer=reviewer)
        return self._detail(application)

    @extend_schema(
        request={"multipart/form-data": UploadSerializer}, responses=MaterialFileSerializer
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"materials/(?P<material_id>\d+)/files",
        parser_classes=[parsers.MultiPartParser],
    )
    def upload(self, request, reference=None, material_id=None):
        application = self.get_object()
        material = application.materials.filter(pk=material_id).first()
        if material is None:
            raise NotFound(_("材料不存在。"))
        uploaded = request.FILES.get("file")
        if uploaded is None:
            raise ActionError(
                _("请选择文件。"), code="file_required", fields={"file": _("请选择文件。")}
            )
        stored = svc.material_upload(
            application=application,
            actor=request.user,
            application_material=material,
            uploaded=uploaded,
        )
        return Response(MaterialFileSerializer(stored).data, status=201)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path=r"files/(?P<file_id>\d+)")
    def file(self, request, reference=None, file_id=None):
        from approvals.services.documents import material_file_response

        return material_file_response(
            application=self.get_object(), file_id=file_id, actor=request.user
        )

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path=r"notices/(?P<notice_id>\d+)/pdf")
    def notice_pdf(self, request, reference=None, notice_id=None):
        from approvals.services.documents import notice_pdf_response

        application = self.get_object()
        notice = get_object_or_404(Notice, pk=notice_id, application=application)
        return notice_pdf_response(notice)


class LookupPaused(APIException):
    """Too many wrong tries for one application number today (429, code ``lookup_paused``,
    Retry-After until midnight)."""

    status_code = 429
    default_code = "lookup_paused"

    def __init__(self, detail, wait: int):
        super().__init__(detail=detail, code=self.default_code)
        self.wait = wait


class StatusLookupView(APIView):
    """Public status lookup: application number plus the last 4 digits of the applicant's
    mobile number. Rate-limited per client address (STATUS_LOOKUP_RATE) and per application
    number (STATUS_LOOKUP_FAILURES_PER_NUMBER wrong tries a day, then 429 ``lookup_paused``
    until the next day); answers the same 404 for a wrong number or wrong digits."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "status_lookup"

    @extend_schema(
        parameters=[
            OpenApiParameter("number", str, required=True),
            OpenApiParameter("mobile_last4", str, required=True),
        ],
        responses=inline_serializer(
            "StatusLookup",
            {
                "number": serializers.CharField(),
                "matter_name": serializers.CharField(),
                "state": serializers.CharField(),
                "state_label": serializers.CharField(),
                "due_date": serializers.DateField(allow_null=True),
                "clock_status": serializers.CharField(),
                "updated_at": serializers.DateTimeField(),
            },
        ),
    )
    def get(self, request):
        from approvals.services import status_lookup as lookup_service

        found = lookup_service.lookup(
            request.query_params.get("number", ""), request.query_params.get("mobile_last4", "")
        )
        if found.paused:
            raise LookupPaused(found.message, wait=found.retry_after)
        if found.result is None:
            raise NotFound(_("没有找到与编号和手机号后四位相符的办件。"))
        return Response(found.result)
