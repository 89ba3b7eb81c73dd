"""The register's change stamp (approvals.selectors.guide.REGISTER_STAMP): any saved or deleted
row of what the public guide shows sets a new stamp in the same transaction, so the guide's
cached pages are dropped by the next request after the commit. Bulk writes that send no signals
(the register import) set it themselves.

The villages' stamp (approvals.selectors.dashboard.VILLAGES_STAMP): a saved or deleted village
or community (portal.models.Area) sets a new one in the same transaction, so the dashboards'
cached filter lists (selectors.dashboard.names) show a renamed village on the next request.
The map's bulk writes (portal.areas.imports) send no signals; they set the map's own stamp
(portal.areas.lookup.STAMP_KEY), which those lists are keyed by as well."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from approvals.models import BusinessCategory, LifeEvent, Material, Matter
from portal import stamps
from portal.models import Area, Department, Window
from portal.models.areas import VILLAGE_KINDS

GUIDE_MODELS = (Matter, Material, LifeEvent, BusinessCategory, Department, Window)


def register_changed(**kwargs) -> None:
    if kwargs.get("raw"):  # loaddata
        return
    if kwargs.get("action", "post_").startswith("pre_"):  # m2m: once, after the change
        return
    from approvals.selectors.guide import REGISTER_STAMP

    stamps.bump(REGISTER_STAMP)


def villages_changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):  # loaddata
        return
    if instance.kind not in VILLAGE_KINDS:  # grids and below are not in the lists
        return
    from approvals.selectors.dashboard import VILLAGES_STAMP

    stamps.bump(VILLAGES_STAMP)


def connect() -> None:
    for model in GUIDE_MODELS:
        post_save.connect(register_changed, sender=model, dispatch_uid=f"register-stamp-{model}")
        post_delete.connect(
            register_changed, sender=model, dispatch_uid=f"register-stamp-del-{model}"
        )
    for through in (BusinessCategory.windows.through, Window.departments.through):
        m2m_changed.connect(
            register_changed, sender=through, dispatch_uid=f"register-m2m-{through}"
        )
    post_save.connect(villages_changed, sender=Area, dispatch_uid="villages-stamp")
    post_delete.connect(villages_changed, sender=Area, dispatch_uid="villages-stamp-del")
