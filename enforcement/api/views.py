"""/api/v1/enforcement/: thin DRF views over the enforcement services and selectors.

Scope as everywhere: officers and squad leaders their squad's leads and cases, the bureau all;
anything else is 404. Transitions are POST actions; a transition not allowed in the state is 400
(``invalid_transition``), one the caller's role may not do 403, one that lost a race 409. The
phone's creates (a patrol lead, an on-the-spot decision, a record, evidence) are idempotent on
``client_uuid``: 201 the first time, 200 with the same object for a resend, 409 when the UUID is
someone else's."""

from __future__ import annotations

from datetime import date

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, parsers, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from enforcement import legal
from enforcement.models import (
    Case,
    CorrectionOrder,
    Discussion,
    Document,
    Evidence,
    InvestigationRecord,
    Lead,
    LeadExtension,
    Preservation,
    Publication,
    Squad,
)
from enforcement.selectors import cases as case_sel
from enforcement.selectors import leads as lead_sel
from enforcement.selectors import scope as scope_sel
from enforcement.selectors import team as team_sel
from enforcement.services import cases as case_svc
from enforcement.services import documents as doc_svc
from enforcement.services import execution, publication, records, simplified
from enforcement.services import leads as lead_svc
from enforcement.services.team import officers_by_ids
from portal.api_fields import BoundedJSONParser
from portal.errors import ActionError, Conflict, Forbidden
from portal.models import Department

from . import serializers as s

NUMBER_REGEX = r"[0-9A-Za-z]{1,32}"
JSON_AND_FORMS = [BoundedJSONParser, parsers.MultiPartParser, parsers.FormParser]


def body(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _officers(ids, field="officers"):
    if not ids:
        return []
    found = officers_by_ids(ids)
    if len(found) != len(set(ids)):
        raise ActionError(
            _("执法人员不存在。"), code="invalid", fields={field: _("执法人员不存在。")}
        )
    return found


def _require_staff(user):
    if not (scope_sel.is_bureau(user) or user.has_role(*scope_sel.SQUAD_ROLES)):
        raise Forbidden(_("您的角色不能使用执法接口。"), code="role_not_allowed")


def _replay_or_conflict(obj, user, created_by_id):
    """A resend of the same UUID by the same person answers 200 with the object; by someone
    else, 409."""
    if created_by_id != user.pk:
        raise Conflict(_("该客户端标识已被他人使用。"), code="client_uuid_taken")
    return obj


# --- leads -----------------------------------------------------------------------------------


class LeadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Leads in the caller's scope."""

    lookup_field = "number"
    lookup_value_regex = NUMBER_REGEX
    serializer_class = s.LeadListSerializer
    parser_classes = JSON_AND_FORMS

    queryset = Lead.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Lead.objects.none()
        _require_staff(self.request.user)
        qs = lead_sel.with_clock(lead_sel.visible_leads(self.request.user))
        state = self.request.query_params.get("state")
        if state:
            qs = qs.filter(state=state)
        return qs.select_related("squad", "matter").order_by("clock_rank", "due_at", "id")

    def get_object(self):
        _require_staff(self.request.user)
        return lead_sel.lead_get(self.request.user, self.kwargs["number"])

    def _detail(self, lead, status=200, message=""):
        fresh = lead_sel.with_clock(Lead.objects.filter(pk=lead.pk)).get()
        return Response(
            s.LeadDetailSerializer(
                fresh, context={"request": self.request, "message": message}
            ).data,
            status=status,
        )

    @extend_schema(
        parameters=[OpenApiParameter("state", str, required=False)],
        responses=s.LeadListSerializer(many=True),
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=s.LeadDetailSerializer)
    def retrieve(self, request, number=None):
        return self._detail(self.get_object())

    @extend_schema(
        request={
            "multipart/form-data": s.LeadCreateSerializer,
            "application/json": s.LeadCreateSerializer,
        },
        responses={201: s.LeadDetailSerializer, 200: s.LeadDetailSerializer},
    )
    def create(self, request):
        """A lead from an officer's phone (patrol) or the desk (complaint, hotline, referral).
        Idempotent on ``client_uuid``."""
        _require_staff(request.user)
        data = body(s.LeadCreateSerializer, request)
        existing = Lead.objects.filter(client_uuid=data["client_uuid"]).first()
        if existing is not None:
            _replay_or_conflict(existing, request.user, existing.created_by_id)
            return self._detail(existing, status=200, message=_("服务器已收到过这条线索。"))
        lead = lead_svc.lead_receive(
            actor=request.user,
            source=data["source"],
            source_ref=data["source_ref"],
            description=data["description"],
            address=data["address"],
            lat=data.get("lat"),
            lng=data.get("lng"),
            area_code=data["area_code"],
            matter_code=data["matter_code"] or None,
            reporter=request.user if data["source"] == "patrol" else None,
            reporter_name=data["reporter_name"],
            reporter_contact=data["reporter_contact"],
            photos=request.FILES.getlist("photos") or data["photos"],
            squad=_own_squad(request.user),
            client_uuid=data["client_uuid"],
        )
        return self._detail(lead, status=201, message=_("线索已登记。"))

    def _act(self, request, service, serializer_class=None, **extra):
        lead = self.get_object()
        data = body(serializer_class, request) if serializer_class else {}
        data.update(extra)
        result = service(lead=lead, actor=request.user, **data)
        return self._detail(result if isinstance(result, Lead) else lead)

    @extend_schema(request=s.LeadAssignSerializer, responses=s.LeadDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, number=None):
        data = body(s.LeadAssignSerializer, request)
        squad = Squad.objects.filter(code=data["squad"], is_active=True).first()
        if squad is None:
            raise ActionError(
                _("中队不存在。"), code="invalid", fields={"squad": _("中队不存在。")}
            )
        lead = lead_svc.lead_assign(lead=self.get_object(), squad=squad, actor=request.user)
        return self._detail(lead)

    @extend_schema(request=s.ProposeFilingSerializer, responses=s.LeadDetailSerializer)
    @action(detail=True, methods=["post"], url_path="propose-filing")
    def propose_filing(self, request, number=None):
        data = body(s.ProposeFilingSerializer, request)
        party = {k: data.pop(k) for k in list(data) if k.startswith("party_")}
        lead = lead_svc.lead_propose_filing(
            lead=self.get_object(),
            actor=request.user,
            matter_code=data["matter_code"],
            other_matter_codes=data["other_matter_codes"],
            officers=_officers(data["officers"]),
            facts=data["facts"],
            party=party,
            note=data["note"],
        )
        return self._detail(lead)

    @extend_schema(request=s.EnforcementNoteSerializer, responses=s.LeadDetailSerializer)
    @action(detail=True, methods=["post"], url_path="approve-filing")
    def approve_filing(self, request, number=None):
        lead = self.get_object()
        lead_svc.lead_approve_filing(
            lead=lead, actor=request.user, **body(s.EnforcementNoteSerializer, request)
        )
        return self._detail(lead)

    @extend_schema(request=s.EnforcementNoteSerializer, responses=s.LeadDetailSerializer)
    @action(detail=True, methods=["post"], url_path="reject-filing")
    def reject_filing(self, request, number=None):
        return self._act(request, lead_svc.lead_reject_filing, s.EnforcementNoteSerializer)

    @extend_schema(request=s.LeadNotFileSerializer, responses=s.LeadDetailSerializer)
    @action(detail=True, methods=["post"], url_path="not-file")
    def not_file(self, request, number=None):
        return self._act(request, lead_svc.lead_not_file, s.LeadNotFileSerializer)

    @extend_schema(request=s.LeadTransferSerializer, responses=s.LeadDetailSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request, number=None):
        data = body(s.LeadTransferSerializer, request)
        department = None
        if data["body"]:
            department = Department.objects.filter(code=data["body"]).first()
            if department is None:
                raise ActionError(
                    _("机关不存在。"), code="invalid", fields={"body": _("机关不存在。")}
                )
        lead = lead_svc.lead_transfer(
            lead=self.get_object(),
            actor=request.user,
            reason=data["reason"],
            body=department,
            body_name=data["body_name"],
        )
        return self._detail(lead)

    @extend_schema(request=s.LeadTransferReceiptSerializer, responses=s.LeadDetailSerializer)
    @action(detail=True, methods=["post"], url_path="transfer-receipt")
    def transfer_receipt(self, request, number=None):
        return self._act(
            request, lead_svc.lead_record_transfer_receipt, s.LeadTransferReceiptSerializer
        )

    @extend_schema(request=s.EnforcementReasonSerializer, responses=s.LeadDetailSerializer)
    @action(detail=True, methods=["post"], url_path="request-extension")
    def request_extension(self, request, number=None):
        return self._act(request, lead_svc.lead_request_extension, s.EnforcementReasonSerializer)

    @extend_schema(request=s.LeadExtensionDecisionSerializer, responses=s.LeadDetailSerializer)
    @action(detail=True, methods=["post"], url_path="decide-extension")
    def decide_extension(self, request, number=None):
        lead = self.get_object()
        data = body(s.LeadExtensionDecisionSerializer, request)
        pending = lead.extensions.filter(status=LeadExtension.Status.PENDING).first()
        if pending is None:
            raise ActionError(_("没有待审批的延期申请。"), code="no_pending_extension")
        lead_svc.lead_decide_extension(extension=pending, actor=request.user, **data)
        return self._detail(lead)


def _own_squad(user):
    officer = scope_sel.officer_for(user)
    return officer.squad if officer is not None and officer.squad_id else None


# --- cases -----------------------------------------------------------------------------------


# What CaseListSerializer shows of a case and its squad and matter (issue 19: the case's and the
# matter's wide rows were read and built for every row of the list); the state is read for
# ConcurrentTransitionMixin and the clock's annotation is computed in SQL.
CASE_LIST_COLUMNS = (
    "id",
    "number",
    "state",
    "procedure",
    "squad_id",
    "matter_id",
    "party_kind",
    "party_name",
    "filed_on",
    "fine",
    "due_kind",
    "due_at",
    "squad__code",
    "matter__code",
    "matter__name",
)


def _case_list_columns(qs):
    return qs.only(*CASE_LIST_COLUMNS)


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Cases in the caller's scope, with every legal deadline and the clock."""

    lookup_field = "number"
    lookup_value_regex = NUMBER_REGEX
    serializer_class = s.CaseListSerializer
    parser_classes = JSON_AND_FORMS

    queryset = Case.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Case.objects.none()
        _require_staff(self.request.user)
        qs = case_sel.with_clock(case_sel.visible_cases(self.request.user))
        params = self.request.query_params
        if params.get("state"):
            qs = qs.filter(state=params["state"])
        if params.get("procedure"):
            qs = qs.filter(procedure=params["procedure"])
        if params.get("squad"):
            qs = qs.filter(squad__code=params["squad"])
        if params.get("mine") in ("1", "true"):
            qs = qs.filter(assignments__officer__user=self.request.user)
        qs = qs.select_related("squad", "matter").order_by("-filed_on", "-id")
        return _case_list_columns(qs) if self.action == "list" else qs

    def get_object(self):
        _require_staff(self.request.user)
        return case_sel.case_get(self.request.user, self.kwargs["number"])

    def _detail(self, case, status=200, message=""):
        fresh = (
            case_sel.with_clock(Case.objects.filter(pk=case.pk))
            .select_related("squad", "matter", "lead")
            .prefetch_related("documents", "history", "evidence")
            .get()
        )
        return Response(
            s.CaseDetailSerializer(
                fresh, context={"request": self.request, "message": message}
            ).data,
            status=status,
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, required=False),
            OpenApiParameter("procedure", str, required=False),
            OpenApiParameter("squad", str, required=False),
            OpenApiParameter("mine", bool, required=False),
        ],
        responses=s.CaseListSerializer(many=True),
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=s.CaseDetailSerializer)
    def retrieve(self, request, number=None):
        return self._detail(self.get_object())

    @extend_schema(
        parameters=[
            OpenApiParameter("on", OpenApiTypes.DATE, required=False, description="default today")
        ],
        responses=s.CaseLateFeeSerializer,
    )
    @action(detail=True, methods=["get"], url_path="late-fee")
    def late_fee(self, request, number=None):
        """The fine, the late fee (art. 72) and the total on a date, in yuan, to the cent."""
        case = self.get_object()
        on = _date_param(request, "on", default=timezone.localdate())
        fine = legal.money(case.fine) if case.has_fine else legal.money(0)
        fee = execution.late_fee_on(case, on) if case.has_fine else legal.money(0)
        return Response(
            {"fine": str(fine), "late_fee": str(fee), "total": str(legal.money(fine + fee))}
        )

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(
        detail=True,
        methods=["get"],
        url_path=r"documents/(?P<document_id>\d{1,18})/pdf",
        url_name="document-pdf",
    )
    def document_pdf(self, request, number=None, document_id=None):
        case = self.get_object()
        document = get_object_or_404(Document, pk=document_id, case=case)
        return doc_svc.pdf_response(document)

    def _act(self, request, service, serializer_class=None, **extra):
        case = self.get_object()
        data = body(serializer_class, request) if serializer_class else {}
        if "officers" in data:
            data["officers"] = _officers(data["officers"])
        data.update(extra)
        service(case=case, actor=request.user, **data)
        return self._detail(case)

    @extend_schema(request=s.CaseProposalSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def proposal(self, request, number=None):
        return self._act(request, case_svc.case_set_proposal, s.CaseProposalSerializer)

    @extend_schema(request=s.CaseOfficersSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="assign-officers")
    def assign_officers(self, request, number=None):
        return self._act(request, case_svc.case_assign_officers, s.CaseOfficersSerializer)

    @extend_schema(request=None, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="submit-review")
    def submit_review(self, request, number=None):
        return self._act(request, case_svc.case_submit_review)

    @extend_schema(request=s.LegalReviewSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, number=None):
        return self._act(request, case_svc.case_review, s.LegalReviewSerializer)

    @extend_schema(request=None, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="submit-discussion")
    def submit_discussion(self, request, number=None):
        return self._act(request, case_svc.case_submit_discussion)

    @extend_schema(request=s.CaseDiscussionSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def discussion(self, request, number=None):
        return self._act(request, case_svc.case_record_discussion, s.CaseDiscussionSerializer)

    @extend_schema(request=s.EnforcementReasonSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_investigation(self, request, number=None):
        return self._act(
            request, case_svc.case_return_to_investigation, s.EnforcementReasonSerializer
        )

    @extend_schema(request=s.CaseNoticeSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def notify(self, request, number=None):
        return self._act(request, case_svc.case_notify, s.CaseNoticeSerializer)

    @extend_schema(request=s.CaseStatementSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def statement(self, request, number=None):
        return self._act(request, case_svc.case_record_statement, s.CaseStatementSerializer)

    @extend_schema(request=s.CaseHearingRequestSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="request-hearing")
    def request_hearing(self, request, number=None):
        return self._act(request, case_svc.case_request_hearing, s.CaseHearingRequestSerializer)

    @extend_schema(request=s.CaseHearingScheduleSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="schedule-hearing")
    def schedule_hearing(self, request, number=None):
        return self._act(request, case_svc.case_schedule_hearing, s.CaseHearingScheduleSerializer)

    @extend_schema(request=s.CaseHearingRecordSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="record-hearing")
    def record_hearing(self, request, number=None):
        return self._act(request, case_svc.case_record_hearing, s.CaseHearingRecordSerializer)

    @extend_schema(request=s.CaseDecideSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, number=None):
        return self._act(request, case_svc.case_decide, s.CaseDecideSerializer)

    @extend_schema(request=s.CaseServeSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def serve(self, request, number=None):
        return self._act(request, case_svc.case_serve, s.CaseServeSerializer)

    @extend_schema(request=s.CasePaymentSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def payment(self, request, number=None):
        return self._act(request, execution.case_record_payment, s.CasePaymentSerializer)

    @extend_schema(request=s.CasePaymentPlanSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="payment-plan")
    def payment_plan(self, request, number=None):
        case = self.get_object()
        data = body(s.CasePaymentPlanSerializer, request)
        instalments = [(i["due"], i["amount"]) for i in data.pop("instalments")]
        execution.case_plan_payment(case=case, actor=request.user, instalments=instalments, **data)
        return self._detail(case)

    @extend_schema(request=s.CaseCourtSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def court(self, request, number=None):
        return self._act(request, execution.case_apply_to_court, s.CaseCourtSerializer)

    @extend_schema(request=s.CaseCloseSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, number=None):
        return self._act(request, case_svc.case_close, s.CaseCloseSerializer)

    @extend_schema(request=s.EnforcementReasonSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, number=None):
        return self._act(request, case_svc.case_revoke_decision, s.EnforcementReasonSerializer)

    @extend_schema(request=s.CaseSuspendSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, number=None):
        return self._act(request, records.case_suspend, s.CaseSuspendSerializer)

    @extend_schema(request=s.CaseResumeSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, number=None):
        return self._act(request, records.case_resume, s.CaseResumeSerializer)

    @extend_schema(request=s.CaseExtendSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request, number=None):
        case = self.get_object()
        data = body(s.CaseExtendSerializer, request)
        discussion = None
        if data.get("discussion"):
            discussion = Discussion.objects.filter(pk=data["discussion"], case=case).first()
            if discussion is None:
                raise ActionError(
                    _("集体讨论记录不存在。"),
                    code="invalid",
                    fields={"discussion": _("集体讨论记录不存在。")},
                )
        records.case_extend(
            case=case,
            actor=request.user,
            reason=data["reason"],
            days=data.get("days"),
            discussion=discussion,
        )
        return self._detail(case)

    @extend_schema(
        request={
            "multipart/form-data": s.CaseRecordSerializer,
            "application/json": s.CaseRecordSerializer,
        },
        responses={201: s.CaseRecordResultSerializer, 200: s.CaseRecordResultSerializer},
    )
    @action(detail=True, methods=["post"])
    def records(self, request, number=None):
        """An inquiry or on-site inspection with its photos, audio and video (from the phone's
        outbox: idempotent on ``client_uuid``)."""
        case = self.get_object()
        data = body(s.CaseRecordSerializer, request)
        existing = InvestigationRecord.objects.filter(client_uuid=data["client_uuid"]).first()
        if existing is not None:
            _replay_or_conflict(existing, request.user, existing.recorded_by_id)
            return Response(
                s.CaseRecordResultSerializer(
                    existing, context={"message": _("服务器已收到过这条记录。")}
                ).data
            )
        record = records.case_record_investigation(
            case=case,
            actor=request.user,
            kind=data["kind"],
            started_at=data["started_at"],
            ended_at=data.get("ended_at"),
            place=data["place"],
            subject=data["subject"],
            content=data["content"],
            officers=_officers(data["officers"]),
            files=request.FILES.getlist("files") or data["files"],
            client_uuid=data["client_uuid"],
        )
        return Response(
            s.CaseRecordResultSerializer(record, context={"message": _("记录已保存。")}).data,
            status=201,
        )

    @extend_schema(
        request={"multipart/form-data": s.CaseEvidenceUploadSerializer},
        responses={201: s.CaseEvidenceSerializer, 200: s.CaseEvidenceSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[parsers.MultiPartParser])
    def evidence(self, request, number=None):
        case = self.get_object()
        data = body(s.CaseEvidenceUploadSerializer, request)
        existing = Evidence.objects.filter(client_uuid=data["client_uuid"]).first()
        if existing is not None:
            _replay_or_conflict(existing, request.user, existing.uploaded_by_id)
            return Response(s.CaseEvidenceSerializer(existing).data)
        evidence = records.case_add_evidence(
            case=case,
            actor=request.user,
            upload=data["file"],
            description=data["description"],
            taken_at=data.get("taken_at"),
            client_uuid=data["client_uuid"],
        )
        return Response(s.CaseEvidenceSerializer(evidence).data, status=201)

    @extend_schema(request=s.CasePreserveSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def preserve(self, request, number=None):
        return self._act(request, records.case_preserve, s.CasePreserveSerializer)

    @extend_schema(request=s.CasePreservationDealSerializer, responses=s.CaseDetailSerializer)
    @action(
        detail=True, methods=["post"], url_path=r"preservations/(?P<preservation_id>\d{1,18})/deal"
    )
    def preservation_deal(self, request, number=None, preservation_id=None):
        case = self.get_object()
        preservation = get_object_or_404(Preservation, pk=preservation_id, case=case)
        records.preservation_deal(
            preservation=preservation,
            actor=request.user,
            **body(s.CasePreservationDealSerializer, request),
        )
        return self._detail(case)

    @extend_schema(request=s.CorrectionOrderSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def correction(self, request, number=None):
        return self._act(request, records.case_order_correction, s.CorrectionOrderSerializer)

    @extend_schema(request=s.CaseRecheckSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path=r"corrections/(?P<order_id>\d{1,18})/recheck")
    def recheck(self, request, number=None, order_id=None):
        case = self.get_object()
        order = get_object_or_404(CorrectionOrder, pk=order_id, case=case)
        data = body(s.CaseRecheckSerializer, request)
        data["officers"] = _officers(data["officers"])
        records.correction_recheck(order=order, actor=request.user, **data)
        return self._detail(case)

    @extend_schema(request=s.CaseJointActionSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="joint-action")
    def joint_action(self, request, number=None):
        case = self.get_object()
        data = body(s.CaseJointActionSerializer, request)
        bodies = records.bodies_by_code(data["bodies"])
        if len(bodies) != len(set(data["bodies"])):
            raise ActionError(
                _("参加单位不存在。"), code="invalid", fields={"bodies": _("参加单位不存在。")}
            )
        records.case_add_joint_action(
            case=case,
            actor=request.user,
            held_on=data["held_on"],
            bodies=bodies,
            participants=data["participants"],
            findings=data["findings"],
        )
        return self._detail(case)

    @extend_schema(request=None, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, number=None):
        case = self.get_object()
        pub = Publication.objects.filter(case=case).first()
        if pub is None:
            raise ActionError(_("本案没有需要公示的决定。"), code="nothing_to_publish")
        publication.publication_publish(publication=pub, actor=request.user)
        return self._detail(case)


def _date_param(request, name, *, default=None, required=False) -> date:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        if required:
            raise ActionError(_("请提供日期。"), code="invalid", fields={name: _("必填。")})
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ActionError(
            _("日期格式应为 YYYY-MM-DD。"),
            code="invalid",
            fields={name: _("日期格式应为 YYYY-MM-DD。")},
        ) from None


# --- the phone's on-the-spot decision --------------------------------------------------------


class SimplifiedView(APIView):
    parser_classes = JSON_AND_FORMS

    @extend_schema(
        request={
            "application/json": s.SimplifiedDecisionSerializer,
            "multipart/form-data": s.SimplifiedDecisionSerializer,
        },
        responses={201: s.CaseDetailSerializer, 200: s.CaseDetailSerializer},
    )
    def post(self, request):
        """The simplified procedure (art. 51) on the spot. Idempotent on ``client_uuid``."""
        _require_staff(request.user)
        data = body(s.SimplifiedDecisionSerializer, request)
        existing = Case.objects.filter(client_uuid=data["client_uuid"]).first()
        status, message = 201, _("当场处罚决定已作出。")
        if existing is not None:
            _replay_or_conflict(existing, request.user, existing.created_by_id)
            case, status, message = existing, 200, _("服务器已收到过这份决定。")
        else:
            party = {k: data.pop(k) for k in list(data) if k.startswith("party_")}
            case = simplified.case_simplified(
                actor=request.user, party=party, officers=_officers(data.pop("officers")), **data
            )
        fresh = case_sel.with_clock(Case.objects.filter(pk=case.pk)).get()
        return Response(
            s.CaseDetailSerializer(
                fresh,
                context={
                    "request": request,
                    "message": message,
                    "page_url": reverse("enforcement:spot-done", args=[case.number]),
                },
            ).data,
            status=status,
        )


# --- calculators and the team ----------------------------------------------------------------


class DeadlineCalculatorView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, required=True, enum=list(legal.CALCULATOR_KINDS)),
            OpenApiParameter("start", OpenApiTypes.DATE, required=True),
            OpenApiParameter("excluded_days", int, required=False),
        ],
        responses=s.EnforcementDeadlineSerializer,
    )
    def get(self, request):
        """A legal deadline by the very code the cases use (portal calendar)."""
        kind = request.query_params.get("kind", "")
        if kind not in legal.CALCULATOR_KINDS:
            raise ActionError(
                _("期限类型不正确。"), code="invalid", fields={"kind": _("期限类型不正确。")}
            )
        start = _date_param(request, "start", required=True)
        excluded = _int_param(request, "excluded_days")
        try:
            due = legal.due(kind, start, excluded_days=excluded)
        except (ValueError, OverflowError):
            raise ActionError(
                _("日期超出范围。"), code="invalid", fields={"start": _("日期超出范围。")}
            ) from None
        return Response({"due": due.isoformat()})


def _int_param(request, name) -> int:
    raw = request.query_params.get(name, "") or "0"
    try:
        value = int(raw)
    except ValueError:
        raise ActionError(_("须为整数。"), code="invalid", fields={name: _("须为整数。")}) from None
    if not 0 <= value <= 3650:
        raise ActionError(
            _("须在0至3650之间。"), code="invalid", fields={name: _("须在0至3650之间。")}
        )
    return value


class LateFeeCalculatorView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("fine", str, required=True, description="yuan, e.g. 1000 or 333.33"),
            OpenApiParameter("payment_due", OpenApiTypes.DATE, required=True),
            OpenApiParameter("on", OpenApiTypes.DATE, required=True),
        ],
        responses=s.EnforcementLateFeeSerializer,
    )
    def get(self, request):
        """The late fee (art. 72) by the very code the cases use."""
        field = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
        try:
            fine = field.to_internal_value(request.query_params.get("fine", ""))
        except serializers.ValidationError as exc:
            raise ActionError(
                _("罚款金额不正确。"), code="invalid", fields={"fine": [str(m) for m in exc.detail]}
            ) from None
        due = _date_param(request, "payment_due", required=True)
        on = _date_param(request, "on", required=True)
        fee = legal.late_fee(fine, due, on)
        return Response({"late_fee": str(fee), "total": str(legal.money(fine + fee))})


class SquadList(APIView):
    @extend_schema(responses=s.SquadSerializer(many=True))
    def get(self, request):
        _require_staff(request.user) if not request.user.has_role("dispatcher") else None
        return Response(s.SquadSerializer(team_sel.squads(), many=True).data)


class OfficerList(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("squad", str, required=False)],
        responses=s.OfficerSerializer(many=True),
    )
    def get(self, request):
        _require_staff(request.user)
        qs = team_sel.officers()
        if not scope_sel.is_bureau(request.user):
            qs = qs.filter(squad_id__in=scope_sel.squad_ids(request.user))
        if request.query_params.get("squad"):
            qs = qs.filter(squad__code=request.query_params["squad"])
        return Response(s.OfficerSerializer(qs, many=True).data)


class DutyList(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "date", OpenApiTypes.DATE, required=False, description="default today"
            ),
            OpenApiParameter("squad", str, required=False),
        ],
        responses=s.DutyShiftSerializer(many=True),
    )
    def get(self, request):
        """Who is on duty, per squad (the centre calls out the squad on duty)."""
        if not (
            request.user.has_role("dispatcher")
            or scope_sel.is_bureau(request.user)
            or request.user.has_role(*scope_sel.SQUAD_ROLES)
        ):
            raise Forbidden(_("您的角色不能查看值班表。"), code="role_not_allowed")
        day = _date_param(request, "date", default=timezone.localdate())
        squad = None
        if request.query_params.get("squad"):
            squad = Squad.objects.filter(code=request.query_params["squad"]).first()
            if squad is None:
                raise ActionError(
                    _("中队不存在。"), code="invalid", fields={"squad": _("中队不存在。")}
                )
        rows = [
            {
                "squad": shift.squad.code,
                "day": shift.day,
                "officer": shift.officer_id,
                "name": shift.officer.name,
                "mobile": shift.officer.user.mobile,
                "is_lead": shift.is_lead,
            }
            for shift in team_sel.duty_roster(day=day, squad=squad)
        ]
        return Response(s.DutyShiftSerializer(rows, many=True).data)


class BoardView(APIView):
    @extend_schema(responses=s.EnforcementBoardRowSerializer(many=True))
    def get(self, request):
        """The deadline board by squad: open cases by clock status."""
        _require_staff(request.user)
        return Response(
            s.EnforcementBoardRowSerializer(case_sel.board_by_squad(request.user), many=True).data
        )
