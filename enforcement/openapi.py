"""Choice sets named for the OpenAPI schema (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"])."""

from enforcement.models import (
    CaseState,
    Circumstance,
    DecisionKind,
    Evidence,
    InvestigationRecord,
    LeadSource,
    LeadState,
    Officer,
    Payment,
    PaymentPlan,
    Penalty,
    Preservation,
    Procedure,
    ServiceMethod,
)
from enforcement.models.records import CaseSuspension, Discussion, LegalReview

LeadStateSet = LeadState
LeadSourceSet = LeadSource
CaseStateSet = CaseState
ProcedureSet = Procedure
PenaltySet = Penalty
CircumstanceSet = Circumstance
DecisionKindSet = DecisionKind
ServiceMethodSet = ServiceMethod
OfficerKind = Officer.Kind
InvestigationRecordKind = InvestigationRecord.Kind
EvidenceKind = Evidence.Kind
PaymentMethod = Payment.Method
PaymentPlanKind = PaymentPlan.Kind
PreservationOutcome = Preservation.Outcome
CaseSuspensionKind = CaseSuspension.Kind
DiscussionPurpose = Discussion.Purpose
DiscussionConclusion = Discussion.Conclusion
LegalReviewOpinion = LegalReview.Opinion
