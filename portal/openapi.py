"""Choice sets named for the OpenAPI schema (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]), so
that fields called status, kind, method… in different components get distinct enum names."""

from portal.models.notifications import Channel, Delivery
from portal.models.org import Department, Window

DepartmentKind = Department.Kind
WindowKind = Window.Kind
ChannelChoices = Channel
DeliveryStatus = Delivery.Status
