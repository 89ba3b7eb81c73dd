"""Approvals' change stamp (portal.stamps): what the command centre's panel of applications'
cards and the one clock's applications are keyed by. Connected in ApprovalsConfig.ready."""

from __future__ import annotations

APPLICATIONS = "approvals.applications"


def connect() -> None:
    from approvals.models import Application
    from portal import stamps

    stamps.watch(APPLICATIONS, Application)
