"""Choice sets named for the OpenAPI schema (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]), so
that fields called status, kind, method… in different components get distinct enum names."""

from approvals.models.applications import (
    Application,
    ApplicationMaterial,
    ClockStatus,
    Extension,
    Notice,
    State,
    Suspension,
)
from approvals.models.evaluations import Callback, Rating, Rectification
from approvals.models.hall import Appointment, HallDevice, Ticket, TicketCall
from approvals.models.register import (
    DelegationInstrument,
    DelegationItem,
    Material,
    Matter,
    RegisterImportJob,
)

StateSet = State
ClockStatusSet = ClockStatus
ApplicationChannel = Application.Channel
ApplicationOutcome = Application.Outcome
ApplicationApplicantKind = Application.ApplicantKind
ApplicationReleaseMethod = Application.ReleaseMethod
ApplicationMaterialStatus = ApplicationMaterial.Status
SuspensionKind = Suspension.Kind
ExtensionStatus = Extension.Status
NoticeKind = Notice.Kind
MatterKind = Matter.Kind
MatterDelegationMode = Matter.DelegationMode
MatterStatus = Matter.Status
MaterialForm = Material.Form
DelegationInstrumentStatus = DelegationInstrument.Status
DelegationItemAction = DelegationItem.Action
RegisterImportJobStatus = RegisterImportJob.Status
TicketStatus = Ticket.Status
TicketPriorityReason = Ticket.PriorityReason
TicketSource = Ticket.Source
TicketCallOutcome = TicketCall.Outcome
HallDeviceKind = HallDevice.Kind
AppointmentStatus = Appointment.Status
RatingSet = Rating
RectificationStatus = Rectification.Status
CallbackMethod = Callback.Method
