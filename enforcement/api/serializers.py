"""Serializers of /api/v1/enforcement/: what leads and cases look like, and the bodies of
their actions."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from enforcement.models import (
    Case,
    CaseEvent,
    CaseState,
    Circumstance,
    DecisionKind,
    Document,
    Evidence,
    InvestigationRecord,
    Lead,
    LeadSource,
    Officer,
    PartyKind,
    Payment,
    PaymentPlan,
    Penalty,
    Preservation,
    ServiceMethod,
    Squad,
)
from enforcement.models.records import CaseSuspension, Discussion, LegalReview
from enforcement.services import cases as case_svc
from portal import idnumber
from portal.api_fields import BoundedModelSerializer, BoundedSerializer, DisplayField


class SquadSerializer(BoundedModelSerializer):
    leader = serializers.CharField(source="leader.display_name", read_only=True, default=None)

    class Meta:
        model = Squad
        fields = ["code", "name", "leader", "phone"]


class CertificateSerializer(BoundedSerializer):
    number = serializers.CharField()
    issuing_body = serializers.CharField()
    fields = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField()
    valid_today = serializers.BooleanField()


class OfficerSerializer(BoundedModelSerializer):
    name = serializers.CharField(read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    squad = serializers.CharField(source="squad.code", read_only=True, default=None)
    certificates = serializers.SerializerMethodField()

    class Meta:
        model = Officer
        fields = ["id", "name", "username", "squad", "kind", "certificates"]

    @extend_schema_field(CertificateSerializer(many=True))
    def get_certificates(self, obj):
        today = timezone.localdate()
        return [
            {
                "number": c.number,
                "issuing_body": c.issuing_body,
                "fields": c.fields,
                "valid_from": c.valid_from,
                "valid_to": c.valid_to,
                "valid_today": c.valid_on(today),
            }
            for c in obj.certificates.all()
        ]


class LeadListSerializer(BoundedModelSerializer):
    state_label = DisplayField(source="get_state_display", read_only=True)
    source_label = DisplayField(source="get_source_display", read_only=True)
    squad = serializers.CharField(source="squad.code", read_only=True, default=None)
    matter_code = serializers.CharField(source="matter.code", read_only=True, default=None)
    clock_status = serializers.CharField(read_only=True, default="")

    class Meta:
        model = Lead
        fields = [
            "number",
            "state",
            "state_label",
            "source",
            "source_label",
            "source_ref",
            "description",
            "address",
            "area_code",
            "squad",
            "matter_code",
            "received_at",
            "filing_due",
            "clock_status",
        ]


class LeadDetailSerializer(LeadListSerializer):
    lat = serializers.DecimalField(max_digits=9, decimal_places=6, read_only=True, allow_null=True)
    lng = serializers.DecimalField(max_digits=9, decimal_places=6, read_only=True, allow_null=True)
    case_number = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    message = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    class Meta(LeadListSerializer.Meta):
        fields = [
            *LeadListSerializer.Meta.fields,
            "lat",
            "lng",
            "reporter_name",
            "extension_days",
            "not_filed_reason",
            "source_told_how",
            "transfer_body_name",
            "transfer_reason",
            "transfer_sent_on",
            "transfer_receipt_on",
            "case_number",
            "photos",
            "message",
            "page_url",
        ]

    def get_case_number(self, obj) -> str | None:
        case = Case.objects.filter(lead=obj).values_list("number", flat=True).first()
        return case

    def get_photos(self, obj) -> list[str]:
        return [p.photo.sha256 for p in obj.photos.select_related("photo")]

    def get_message(self, obj) -> str:
        return self.context.get("message", "")

    def get_page_url(self, obj) -> str:
        return reverse("enforcement:lead", args=[obj.number])


class LeadCreateSerializer(BoundedSerializer):
    client_uuid = serializers.UUIDField()
    source = serializers.ChoiceField(
        choices=[
            (LeadSource.PATROL, LeadSource.PATROL.label),
            (LeadSource.COMPLAINT, LeadSource.COMPLAINT.label),
            (LeadSource.HOTLINE, LeadSource.HOTLINE.label),
            (LeadSource.REFERRAL, LeadSource.REFERRAL.label),
        ],
        default=LeadSource.PATROL,
    )
    source_ref = serializers.CharField(required=False, allow_blank=True, max_length=64, default="")
    description = serializers.CharField(max_length=4000)
    address = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")
    lat = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, min_value=-90, max_value=90
    )
    lng = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        required=False,
        allow_null=True,
        min_value=-180,
        max_value=180,
    )
    area_code = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")
    matter_code = serializers.CharField(required=False, allow_blank=True, max_length=64, default="")
    reporter_name = serializers.CharField(
        required=False, allow_blank=True, max_length=64, default=""
    )
    reporter_contact = serializers.CharField(
        required=False, allow_blank=True, max_length=64, default=""
    )
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class CasePartySerializer(BoundedSerializer):
    party_kind = serializers.ChoiceField(choices=PartyKind.choices, default=PartyKind.PERSON)
    party_name = serializers.CharField(max_length=200)
    party_id_number = serializers.CharField(
        required=False, allow_blank=True, max_length=18, default=""
    )
    party_credit_code = serializers.CharField(
        required=False, allow_blank=True, max_length=18, default=""
    )
    party_representative = serializers.CharField(
        required=False, allow_blank=True, max_length=64, default=""
    )
    party_address = serializers.CharField(
        required=False, allow_blank=True, max_length=255, default=""
    )
    party_mobile = serializers.CharField(
        required=False, allow_blank=True, max_length=20, default=""
    )


class ProposeFilingSerializer(CasePartySerializer):
    matter_code = serializers.CharField(max_length=64)
    other_matter_codes = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, default=list
    )
    officers = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1)
    facts = serializers.CharField(max_length=4000)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class EnforcementNoteSerializer(BoundedSerializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class EnforcementReasonSerializer(BoundedSerializer):
    reason = serializers.CharField(max_length=2000)


class LeadNotFileSerializer(EnforcementReasonSerializer):
    told_how = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class LeadTransferSerializer(EnforcementReasonSerializer):
    body = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        default="",
        help_text="code of a department (e.g. QZJJ)",
    )
    body_name = serializers.CharField(required=False, allow_blank=True, max_length=128, default="")


class LeadTransferReceiptSerializer(BoundedSerializer):
    received_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class LeadAssignSerializer(BoundedSerializer):
    squad = serializers.CharField(max_length=16, help_text="squad code")


class LeadExtensionDecisionSerializer(BoundedSerializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


# --- cases -----------------------------------------------------------------------------------


class CaseListSerializer(BoundedModelSerializer):
    state_label = DisplayField(source="get_state_display", read_only=True)
    squad = serializers.CharField(source="squad.code", read_only=True)
    matter_code = serializers.CharField(source="matter.code", read_only=True)
    matter_name = serializers.CharField(source="matter.name", read_only=True)
    clock_status = serializers.CharField(read_only=True, default="")
    fine = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, allow_null=True
    )

    class Meta:
        model = Case
        fields = [
            "number",
            "state",
            "state_label",
            "procedure",
            "squad",
            "matter_code",
            "matter_name",
            "party_kind",
            "party_name",
            "filed_on",
            "fine",
            "due_kind",
            "due_at",
            "clock_status",
        ]


class CaseDocumentSerializer(BoundedModelSerializer):
    title = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = ["id", "kind", "title", "number", "issued_at", "sha256", "pdf_url"]

    def get_title(self, obj) -> str:
        from enforcement import documents

        return documents.label(obj.kind)

    def get_pdf_url(self, obj) -> str:
        return (
            reverse("api-enforcement-case-document-pdf", args=[obj.case.number, obj.pk])
            if obj.case_id
            else ""
        )


class CaseEventSerializer(BoundedModelSerializer):
    class Meta:
        model = CaseEvent
        fields = ["seq", "at", "actor_label", "action", "from_state", "to_state", "note", "hash"]


class CaseEvidenceSerializer(BoundedModelSerializer):
    class Meta:
        model = Evidence
        fields = [
            "id",
            "kind",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "description",
            "taken_at",
            "uploaded_at",
        ]


class CaseDetailSerializer(CaseListSerializer):
    party_id_number = serializers.SerializerMethodField()
    officers = serializers.SerializerMethodField()
    penalties = serializers.ListField(child=serializers.CharField(), read_only=True)
    confiscation = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, allow_null=True
    )
    paid_amount = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    major_reasons = serializers.ListField(child=serializers.CharField(), read_only=True)
    lead_number = serializers.CharField(source="lead.number", read_only=True, default=None)
    documents = CaseDocumentSerializer(many=True, read_only=True)
    history = CaseEventSerializer(many=True, read_only=True)
    evidence = CaseEvidenceSerializer(many=True, read_only=True)
    message = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "party_id_number",
            "party_credit_code",
            "party_address",
            "facts",
            "address",
            "officers",
            "penalties",
            "confiscation",
            "circumstance",
            "benchmark",
            "outside_benchmark_reason",
            "legal_basis",
            "major_reasons",
            "discussion_required",
            "hearing_right",
            "lead_number",
            "filing_due",
            "decision_due",
            "excluded_days",
            "extension_days",
            "clock_paused",
            "notified_on",
            "statement_due",
            "hearing_request_due",
            "decision_kind",
            "decided_on",
            "service_due",
            "served_on",
            "service_method",
            "payment_due",
            "paid_amount",
            "paid_on",
            "publication_due",
            "revoked_on",
            "closed_on",
            "documents",
            "evidence",
            "history",
            "message",
            "page_url",
        ]

    def get_party_id_number(self, obj) -> str:
        return idnumber.mask(obj.party_id_number) if obj.party_id_number else ""

    def get_officers(self, obj) -> list[str]:
        return [a.officer.name for a in obj.assignments.select_related("officer__user")]

    def get_message(self, obj) -> str:
        return self.context.get("message", "")

    def get_page_url(self, obj) -> str:
        return self.context.get("page_url") or reverse("enforcement:case", args=[obj.number])


class CaseLateFeeSerializer(BoundedSerializer):
    fine = serializers.DecimalField(max_digits=12, decimal_places=2)
    late_fee = serializers.DecimalField(max_digits=12, decimal_places=2)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)


class CaseProposalSerializer(BoundedSerializer):
    penalties = serializers.ListField(
        child=serializers.ChoiceField(choices=Penalty.choices), required=False, default=list
    )
    fine = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, min_value=0
    )
    confiscation = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, min_value=0
    )
    circumstance = serializers.ChoiceField(
        choices=Circumstance.choices, required=False, allow_blank=True, default=""
    )
    legal_basis = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, default=""
    )
    outside_benchmark_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, default=""
    )
    facts = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    complex_case = serializers.BooleanField(required=False)


class LegalReviewSerializer(BoundedSerializer):
    opinion = serializers.ChoiceField(choices=LegalReview.Opinion.choices)
    comments = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class CaseDiscussionSerializer(BoundedSerializer):
    purpose = serializers.ChoiceField(
        choices=Discussion.Purpose.choices, default=Discussion.Purpose.DECISION
    )
    held_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    chair = serializers.CharField(max_length=64)
    participants = serializers.ListField(
        child=serializers.CharField(max_length=64), min_length=1, max_length=30
    )
    opinion = serializers.CharField(max_length=4000)
    conclusion = serializers.ChoiceField(choices=Discussion.Conclusion.choices)


class CaseOfficersSerializer(BoundedSerializer):
    officers = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        help_text="officer ids (default: the case's)",
    )


class CaseNoticeSerializer(CaseOfficersSerializer):
    on = serializers.DateField(required=False, allow_null=True)


class CaseStatementSerializer(BoundedSerializer):
    received_on = serializers.DateField()
    waived = serializers.BooleanField(default=False)
    content = serializers.CharField(required=False, allow_blank=True, max_length=8000, default="")
    accepted = serializers.BooleanField(required=False, allow_null=True, default=None)
    reply = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class CaseHearingRequestSerializer(BoundedSerializer):
    requested_on = serializers.DateField()


class CaseHearingScheduleSerializer(BoundedSerializer):
    notice_on = serializers.DateField()
    scheduled_on = serializers.DateField()
    place = serializers.CharField(max_length=255)
    host = serializers.CharField(max_length=64)


class CaseHearingRecordSerializer(BoundedSerializer):
    held_on = serializers.DateField()
    record = serializers.CharField(max_length=20000)


class CaseDecideSerializer(CaseOfficersSerializer):
    kind = serializers.ChoiceField(choices=DecisionKind.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
    on = serializers.DateField(required=False, allow_null=True)


class CaseServeSerializer(CaseOfficersSerializer):
    method = serializers.ChoiceField(choices=ServiceMethod.choices)
    served_on = serializers.DateField(required=False, allow_null=True)
    notice_published_on = serializers.DateField(required=False, allow_null=True)
    recipient = serializers.CharField(required=False, allow_blank=True, max_length=64, default="")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class CasePaymentSerializer(BoundedSerializer):
    client_uuid = serializers.UUIDField(required=False, allow_null=True)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    late_fee = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, default=0)
    paid_on = serializers.DateField()
    method = serializers.ChoiceField(choices=Payment.Method.choices)
    receipt_number = serializers.CharField(max_length=64)


class CaseInstalmentSerializer(BoundedSerializer):
    due = serializers.DateField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)


class CasePaymentPlanSerializer(BoundedSerializer):
    kind = serializers.ChoiceField(choices=PaymentPlan.Kind.choices)
    reason = serializers.CharField(max_length=2000)
    deferred_to = serializers.DateField(required=False, allow_null=True)
    instalments = CaseInstalmentSerializer(many=True, required=False, default=list)


class CaseCourtSerializer(BoundedSerializer):
    applied_on = serializers.DateField()
    court = serializers.CharField(max_length=128)


class CaseCloseSerializer(BoundedSerializer):
    report = serializers.CharField(max_length=8000)
    on = serializers.DateField(required=False, allow_null=True)


class CaseSuspendSerializer(BoundedSerializer):
    kind = serializers.ChoiceField(choices=CaseSuspension.Kind.choices)
    reason = serializers.CharField(max_length=2000)
    started_on = serializers.DateField()


class CaseResumeSerializer(BoundedSerializer):
    ended_on = serializers.DateField()


class CaseExtendSerializer(BoundedSerializer):
    reason = serializers.CharField(max_length=2000)
    days = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=365)
    discussion = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class CaseRecordSerializer(CaseOfficersSerializer):
    client_uuid = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=InvestigationRecord.Kind.choices)
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(required=False, allow_null=True)
    place = serializers.CharField(max_length=255)
    subject = serializers.CharField(max_length=200)
    content = serializers.CharField(max_length=20000)
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=20
    )


class CaseRecordResultSerializer(BoundedModelSerializer):
    number = serializers.SerializerMethodField()
    message = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = InvestigationRecord
        fields = ["id", "kind", "started_at", "place", "subject", "number", "message", "page_url"]

    def get_number(self, obj) -> str:
        return obj.case.number

    def get_message(self, obj) -> str:
        return self.context.get("message", "")

    def get_page_url(self, obj) -> str:
        return reverse("enforcement:case", args=[obj.case.number])


class CaseEvidenceUploadSerializer(BoundedSerializer):
    client_uuid = serializers.UUIDField()
    file = serializers.FileField()
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=255, default=""
    )
    taken_at = serializers.DateTimeField(required=False, allow_null=True)


class CasePreserveSerializer(CaseOfficersSerializer):
    items = serializers.CharField(max_length=4000)
    place = serializers.CharField(max_length=255)
    started_on = serializers.DateField(required=False, allow_null=True)


class CasePreservationDealSerializer(BoundedSerializer):
    outcome = serializers.ChoiceField(choices=Preservation.Outcome.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    dealt_on = serializers.DateField(required=False, allow_null=True)


class CorrectionOrderSerializer(CaseOfficersSerializer):
    requirement = serializers.CharField(max_length=4000)
    deadline = serializers.DateField()
    ordered_on = serializers.DateField(required=False, allow_null=True)


class CaseRecheckSerializer(CaseOfficersSerializer):
    corrected = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    rechecked_on = serializers.DateField(required=False, allow_null=True)


class CaseJointActionSerializer(BoundedSerializer):
    held_on = serializers.DateField()
    bodies = serializers.ListField(
        child=serializers.CharField(max_length=32), min_length=1, help_text="department codes"
    )
    participants = serializers.CharField(max_length=2000)
    findings = serializers.DictField(
        child=serializers.CharField(max_length=4000), required=False, default=dict
    )


class SimplifiedDecisionSerializer(CasePartySerializer):
    client_uuid = serializers.UUIDField()
    matter_code = serializers.CharField(max_length=64)
    facts = serializers.CharField(max_length=4000)
    address = serializers.CharField(max_length=255)
    penalties = serializers.ListField(
        child=serializers.ChoiceField(choices=Penalty.choices), min_length=1
    )
    fine = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, min_value=0
    )
    circumstance = serializers.ChoiceField(
        choices=Circumstance.choices, required=False, allow_blank=True, default=""
    )
    officers = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        help_text="the other officers present",
    )
    lat = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, min_value=-90, max_value=90
    )
    lng = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        required=False,
        allow_null=True,
        min_value=-180,
        max_value=180,
    )
    paid_on_spot = serializers.BooleanField(default=False)
    receipt_number = serializers.CharField(
        required=False, allow_blank=True, max_length=64, default=""
    )


class EnforcementDeadlineSerializer(BoundedSerializer):
    due = serializers.DateField()


class EnforcementLateFeeSerializer(BoundedSerializer):
    late_fee = serializers.DecimalField(max_digits=12, decimal_places=2)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)


class DutyShiftSerializer(BoundedSerializer):
    squad = serializers.CharField()
    day = serializers.DateField()
    officer = serializers.IntegerField()
    name = serializers.CharField()
    mobile = serializers.CharField()
    is_lead = serializers.BooleanField()


class EnforcementBoardRowSerializer(BoundedSerializer):
    squad = serializers.CharField()
    squad_name = serializers.CharField()
    open = serializers.IntegerField()
    overdue = serializers.IntegerField()
    warning = serializers.IntegerField()
    normal = serializers.IntegerField()
    paused = serializers.IntegerField()


__all__ = ["CaseState", "case_svc"]
