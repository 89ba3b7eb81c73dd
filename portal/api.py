from datetime import date

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import roles, tokens, workdays
from portal.api_errors import ServiceError
from portal.api_fields import BoundedModelSerializer, limit
from portal.models import Department, User, Window


class MeSerializer(BoundedModelSerializer):
    roles = serializers.SerializerMethodField()
    id_number = serializers.CharField(source="id_number_masked")
    department = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "real_name",
            "mobile",
            "id_number",
            "email",
            "roles",
            "department",
        ]

    def get_roles(self, obj) -> list[str]:
        return [r for r in roles.ALL if obj.has_role(r)]

    def get_department(self, obj) -> str | None:
        profile = getattr(obj, "staff_profile", None)
        return profile.department.code if profile else None


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class DepartmentSerializer(BoundedModelSerializer):
    class Meta:
        model = Department
        fields = ["code", "name", "short_name", "kind", "is_active"]


class WindowSerializer(BoundedModelSerializer):
    departments = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Window
        fields = ["number", "name", "kind", "departments", "is_active"]


class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Department.objects.all()
    serializer_class = DepartmentSerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "code"
    filterset_fields = ["kind", "is_active"]


class WindowViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Window.objects.prefetch_related("departments")
    serializer_class = WindowSerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "number"
    filterset_fields = ["kind", "is_active"]


def _date_param(request, name: str) -> date:
    raw = request.query_params.get(name, "")
    message = _("日期格式应为 YYYY-MM-DD。")
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise ServiceError(message, code="invalid_date", fields={name: [message]}) from None
    low, high = limit("DATE_MIN_YEAR"), limit("DATE_MAX_YEAR")
    if not low <= value.year <= high:
        message = _("日期应在 %(low)s 年至 %(high)s 年之间。") % {"low": low, "high": high}
        raise ServiceError(message, code="date_out_of_range", fields={name: [message]})
    return value


class WorkdaysView(APIView):
    """The working-day calendar: add N working days, or count those between two dates (dates
    between the years API_LIMITS DATE_MIN_YEAR and DATE_MAX_YEAR, 1900–2199 by default)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, required=True),
            OpenApiParameter("days", OpenApiTypes.INT, description="add N working days"),
            OpenApiParameter("end", OpenApiTypes.DATE, description="count working days until"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        start = _date_param(request, "start")
        if "end" in request.query_params:
            end = _date_param(request, "end")
            return Response(
                {
                    "start": start,
                    "end": end,
                    "working_days": workdays.working_days_between(start, end),
                    "unconfirmed_years": workdays.unconfirmed_between(start, end),
                }
            )
        try:
            days = int(request.query_params.get("days", ""))
            if days < 0 or days > 3650:
                raise ValueError
        except ValueError:
            raise ServiceError(
                _("天数应为0到3650之间的整数。"),
                code="invalid_days",
                fields={"days": [_("天数应为0到3650之间的整数。")]},
            ) from None
        try:
            result = workdays.add_working_days(start, days)
        except OverflowError:
            result = None
        if result is None or result.year > limit("DATE_MAX_YEAR"):
            message = _("结果超出日历范围（%(high)s 年以后），请缩短天数或提前起始日期。") % {
                "high": limit("DATE_MAX_YEAR")
            }
            raise ServiceError(message, code="date_out_of_range", fields={"days": [message]})
        return Response(
            {
                "start": start,
                "days": days,
                "date": result,
                "confirmed": workdays.is_confirmed(result),
                "is_working_day": workdays.is_working_day(start),
            }
        )


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


def _locked_out(request) -> bool:
    return bool(
        getattr(request, "axes_locked_out", False)
        or getattr(getattr(request, "_request", None), "axes_locked_out", False)
    )


class TokenView(APIView):
    """Exchange a user name (or mobile number) and password for a new API token. The key is
    shown once; it expires (API_TOKEN_DAYS, 30 days for people) and is revoked by a password
    change. Failed tries count towards the same lock-out as the log-in page: a locked-out
    account is answered 429 with the code ``locked_out``."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenResponseSerializer})
    def post(self, request):
        from django.contrib.auth import authenticate

        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request=request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if _locked_out(request):
            raise ServiceError(locked_out_message(), code="locked_out", status_code=429)
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": [_("用户名或密码不正确。")]}, code="authorization"
            )
        token, key = tokens.issue(user=user, name=_("接口登录"))
        return Response({"token": key, "expires_at": token.expires_at})


def locked_out_message() -> str:
    from django.conf import settings

    minutes = int(round(float(settings.AXES_COOLOFF_TIME or 0) * 60))
    return _(
        "登录失败次数过多，账号已暂时锁定，请%(minutes)s分钟后再试，或到窗口现场核验身份。"
    ) % {"minutes": minutes}
