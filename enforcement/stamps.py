"""Enforcement's change stamps (portal.stamps): what the command centre's panels of cases,
call-outs and the squads' duty roster are keyed by. Connected in EnforcementConfig.ready; a
bulk write's service bumps by hand."""

from __future__ import annotations

CASES = "enforcement.cases"  # cases, their officers, leads, squads
CALLOUTS = "enforcement.callouts"  # call-outs, their officers and steps, the phones' positions
ROSTER = "enforcement.roster"  # the squads' duty roster, squads and officers


def connect() -> None:
    from enforcement.models import Case, CaseOfficer, Lead, Squad
    from enforcement.models.callouts import CallOut, CallOutEvent, CallOutOfficer
    from enforcement.models.team import DutyShift, Officer
    from portal import stamps

    stamps.watch(CASES, Case, CaseOfficer, Lead, Squad)
    stamps.watch(CALLOUTS, CallOut, CallOutOfficer, CallOutEvent)
    stamps.watch(ROSTER, DutyShift, Squad, Officer)
