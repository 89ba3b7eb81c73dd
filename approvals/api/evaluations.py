"""/api/v1/evaluations/ and /api/v1/rectifications/: thin DRF views over the evaluation
services and selectors.

- Evaluations are listed in the caller's scope (approvals.selectors.evaluations). The rater
  (``rated_by``, ``on_behalf``) is in the answer for supervisors only; window clerks and
  reviewers see their departments' ratings without the rater or the application number.
- A rating is created with POST (the applicant or the proxy agent who filed it); a second
  rating of the same application answers 409; nobody changes or deletes one.
- Rectifications are for supervisors: list (``status`` open / closed / overdue), detail with
  the call-backs, POST ``callbacks/``, PATCH the action and result, POST ``close/``."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from approvals.models import Callback, Evaluation, Rating, Rectification
from approvals.selectors import applications as app_sel
from approvals.selectors import evaluations as sel
from approvals.services import evaluations as svc
from portal.api_fields import BoundedModelSerializer, BoundedSerializer, DisplayField
from portal.errors import NotFound

# --- serializers -----------------------------------------------------------------------------


class RaterSerializer(BoundedSerializer):
    username = serializers.CharField()
    display_name = serializers.CharField()


class EvaluationSerializer(BoundedModelSerializer):
    """``application``, ``rated_by`` and ``on_behalf`` are left out for callers who may not see
    them (see the module docstring)."""

    rating_label = DisplayField(source="get_rating_display", read_only=True)
    application = serializers.CharField(source="application.number", read_only=True)
    matter_code = serializers.CharField(source="application.matter.code", read_only=True)
    matter_name = serializers.CharField(source="application.matter.name", read_only=True)
    department = serializers.CharField(source="application.department.code", read_only=True)
    rated_by = RaterSerializer(read_only=True, required=False)
    on_behalf = serializers.BooleanField(read_only=True, required=False)
    rectification = serializers.SerializerMethodField()

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "application",
            "matter_code",
            "matter_name",
            "department",
            "rating",
            "rating_label",
            "comment",
            "created_at",
            "rated_by",
            "on_behalf",
            "rectification",
        ]

    def get_rectification(self, obj) -> int | None:
        user = self.context["request"].user
        if not sel.is_supervisor(user):
            return None
        rectification = getattr(obj, "rectification", None)
        return rectification.pk if rectification else None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = self.context["request"].user
        if not sel.can_see_rater(user):
            data.pop("rated_by", None)
            data.pop("rectification", None)
            if not sel.is_own_evaluation(user, instance):
                data.pop("on_behalf", None)
                data.pop("application", None)
        return data


class EvaluationCreateSerializer(BoundedSerializer):
    application = serializers.CharField(help_text="the application number")
    rating = serializers.ChoiceField(choices=Rating.choices, help_text="5 非常满意 … 1 非常不满意")
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class CallbackSerializer(BoundedModelSerializer):
    called_by = serializers.CharField(source="called_by.display_name", read_only=True)
    method_label = DisplayField(source="get_method_display", read_only=True)

    class Meta:
        model = Callback
        fields = ["id", "called_at", "called_by", "method", "method_label", "citizen_said"]


class CallbackCreateSerializer(BoundedSerializer):
    called_at = serializers.DateTimeField(required=False, help_text="default: now")
    method = serializers.ChoiceField(choices=Callback.Method.choices)
    citizen_said = serializers.CharField(allow_blank=True)


class RectificationSerializer(BoundedModelSerializer):
    evaluation = EvaluationSerializer(read_only=True)
    status_label = DisplayField(source="get_status_display", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    closed_by = serializers.CharField(source="closed_by.display_name", read_only=True, default=None)
    callbacks = CallbackSerializer(many=True, read_only=True)

    class Meta:
        model = Rectification
        fields = [
            "id",
            "status",
            "status_label",
            "opened_on",
            "due_date",
            "is_overdue",
            "action_taken",
            "result",
            "closed_at",
            "closed_by",
            "evaluation",
            "callbacks",
        ]


class RectificationUpdateSerializer(BoundedSerializer):
    action_taken = serializers.CharField(allow_blank=True, required=False, max_length=4000)
    result = serializers.CharField(allow_blank=True, required=False, max_length=4000)


# --- permissions and filters -----------------------------------------------------------------


class IsSupervisor(permissions.BasePermission):
    message = "supervisors only"

    def has_permission(self, request, view):
        return sel.is_supervisor(request.user)


class EvaluationFilter(django_filters.FilterSet):
    rating = django_filters.MultipleChoiceFilter(choices=Rating.choices)
    matter = django_filters.CharFilter(field_name="application__matter__code")
    department = django_filters.CharFilter(field_name="application__department__code")
    bad = django_filters.BooleanFilter(method="filter_bad")
    created_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = Evaluation
        fields = ["rating"]

    def filter_bad(self, queryset, name, value):
        bad = [Rating.DISSATISFIED, Rating.VERY_DISSATISFIED]
        return queryset.filter(rating__in=bad) if value else queryset.exclude(rating__in=bad)


class RectificationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        method="filter_status",
        choices=[("open", "open"), ("closed", "closed"), ("overdue", "overdue")],
    )
    department = django_filters.CharFilter(field_name="evaluation__application__department__code")

    class Meta:
        model = Rectification
        fields = ["status", "department"]

    def filter_status(self, queryset, name, value):
        if value == "overdue":
            return queryset.filter(is_overdue=True)
        return queryset.filter(status=value)


# --- views -----------------------------------------------------------------------------------


class EvaluationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Ratings (好差评) in the caller's scope; POST rates a completed application once."""

    serializer_class = EvaluationSerializer
    filterset_class = EvaluationFilter

    def get_queryset(self):
        return (
            sel.visible_evaluations(self.request.user)
            .select_related("rectification")
            .order_by("-created_at", "-id")
        )

    def get_object(self):
        pk = self.kwargs["pk"]
        if not str(pk).isdigit():
            raise NotFound(_("未找到该评价。"))
        try:
            return self.get_queryset().get(pk=int(pk))
        except Evaluation.DoesNotExist:
            raise NotFound(_("未找到该评价。")) from None

    @extend_schema(request=EvaluationCreateSerializer, responses={201: EvaluationSerializer})
    def create(self, request):
        body = EvaluationCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        application = app_sel.application_get(request.user, data["application"])
        evaluation = svc.evaluation_create(
            application=application,
            actor=request.user,
            rating=data["rating"],
            comment=data["comment"],
        )
        evaluation = self.get_queryset().get(pk=evaluation.pk)
        return Response(
            EvaluationSerializer(evaluation, context={"request": request}).data, status=201
        )


class RectificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Rectifications of bad ratings (supervisors only). Overdue: open after the due date."""

    serializer_class = RectificationSerializer
    filterset_class = RectificationFilter
    permission_classes = [permissions.IsAuthenticated, IsSupervisor]

    def get_queryset(self):
        qs = sel.with_overdue(Rectification.objects.all(), timezone.localdate())
        qs = qs.select_related(
            "evaluation__application__matter",
            "evaluation__application__department",
            "evaluation__rated_by",
            "closed_by",
        )
        if self.action == "list":
            return qs.prefetch_related("callbacks__called_by").order_by(
                "status", "-is_overdue", "due_date", "id"
            )
        return qs.prefetch_related("callbacks__called_by")

    def get_object(self):
        pk = self.kwargs["pk"]
        found = self.get_queryset().filter(pk=int(pk)).first() if str(pk).isdigit() else None
        if found is None:
            raise NotFound(_("未找到该整改。"))
        return found

    def _detail(self, rectification, status=200):
        fresh = self.get_queryset().get(pk=rectification.pk)
        return Response(
            RectificationSerializer(fresh, context={"request": self.request}).data,
            status=status,
        )

    @extend_schema(request=CallbackCreateSerializer, responses={201: RectificationSerializer})
    @action(detail=True, methods=["post"])
    def callbacks(self, request, pk=None):
        rectification = self.get_object()
        body = CallbackCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        svc.rectification_record_callback(
            rectification=rectification,
            actor=request.user,
            called_at=data.get("called_at") or timezone.now(),
            method=data["method"],
            citizen_said=data["citizen_said"],
        )
        return self._detail(rectification, status=201)

    @extend_schema(request=RectificationUpdateSerializer, responses=RectificationSerializer)
    def partial_update(self, request, pk=None):
        rectification = self.get_object()
        body = RectificationUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        svc.rectification_update(
            rectification=rectification,
            actor=request.user,
            action_taken=data.get("action_taken", rectification.action_taken),
            result=data.get("result", rectification.result),
        )
        return self._detail(rectification)

    @extend_schema(request=RectificationUpdateSerializer, responses=RectificationSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        rectification = self.get_object()
        body = RectificationUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        svc.rectification_close(
            rectification=rectification,
            actor=request.user,
            action_taken=data.get("action_taken") or rectification.action_taken,
            result=data.get("result") or rectification.result,
        )
        return self._detail(rectification)
