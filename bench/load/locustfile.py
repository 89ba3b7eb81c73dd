"""A working day at the town's portal, every kind of user at once (issue 19).

Run by bench/load/run.py (which starts gunicorn, the Celery worker and beat, logs everyone in
with bench/load/prepare.py and reads the per-request log this file writes); see
bench/load/README.md.

The mix and why
---------------
A township day is mostly residents: they read the service guide on their phones, look up how
their application stands, file new ones and report problems in the street (随手拍). Behind the
windows, clerks work the intake and release queues all day, reviewers their department's
queue; the grid members walk their grids with the phone app, listing their incidents and
verifying new reports; the town's departments sign for the work orders the centre sends
them; the enforcement officers open their cases; the command centre's dispatchers keep the
live board open (it polls every 5 s with an ETag: a 304 when nothing changed); supervisors
look at the dashboards a few times an hour; and the 12345 hotline's system pushes the
calls it takes as incidents through the API.

So, by simulated user (each waits 0.5-1.5 s between actions, the pace of someone at work; the
shares of requests that result are printed by the report):

=============  ======  ===============================================================
kind           weight  what each does (task weights in brackets)
=============  ======  ===============================================================
resident       34      guide (3), a matter's guide page (3), my applications (2), one
                       of them (2), status lookup API (2), apply online: create, accept
                       the declaration, submit (1), report a problem (1)
clerk          14      intake queue (4), release queue (2), an application (2), accept
                       one: its detail and the acceptance with every material received (2)
reviewer       14      review queue page (4), review queue API (2), an application (2),
                       claim one (1), decide one (1)
grid member    12      my grid's incidents (4), an incident (2), incidents API (1), verify
                       a new report (1)
department     5       work orders page (3), a work order (2), sign for one (1)
officer        6       the desk (3), a case (3), cases API (1)
supervisor     7       dashboard (3), dashboard API (2), time-limits API (1)
hotline API    5       a call as an incident (2), a call's status (1), a department (1)
dispatcher     3 fixed the centre's board API every 5 s with If-None-Match
=============  ======  ===============================================================

Every transition changes data (a new application lands in a clerk's queue, an acceptance
starts a clock, a decision sends a notice through the outbox), so the data are reset between
runs (run.py copies the generated database afresh). Each simulated user has work of its own
(prepare.py shares the queues out), so a 409 is a real race (e.g. with the worker's sweeps)
and is counted apart as expected; anything else at 400 and above is an error.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid

from locust import FastHttpUser, LoadTestShape, between, constant, events, task
from locust.exception import StopUser

DATA = json.loads(open(os.environ.get("LOAD_PEOPLE", "var/load/people.json")).read())
LOG = open(os.environ.get("LOAD_LOG", "var/load/requests.tsv"), "a", buffering=1)
_counters = {kind: itertools.count() for kind in DATA["people"]}


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response, exception, **kw):
    status = getattr(response, "status_code", 0) or 0
    LOG.write(f"{time.time():.3f}\t{name}\t{response_time:.1f}\t{status}\n")


def _person(kind: str) -> dict:
    people = DATA["people"][kind]
    return people[next(_counters[kind]) % len(people)]


# Each user's pause between actions: 0.5–1.5 s, times LOAD_THINK (run.py --think) — a soak
# at a lower rate keeps every kind of user present instead of dropping kinds with users.
THINK = float(os.environ.get("LOAD_THINK", "1"))


class Staff(FastHttpUser):
    abstract = True
    wait_time = between(0.5 * THINK, 1.5 * THINK)
    kind = ""

    def on_start(self):
        if not DATA["people"].get(self.kind):
            raise StopUser()  # nobody of this kind in the data (run.py leaves the class out)
        self.me = _person(self.kind)
        self.work = {k: list(v) for k, v in self.me["work"].items()}
        self.base = {"X-Forwarded-Proto": "https", "Origin": self.host}

    # A page in the browser (session cookie) and a call of the API (token; no cookie, so the
    # session's CSRF check does not apply).
    def page(self, url: str, name: str):
        headers = {**self.base, "Cookie": f"sessionid={self.me['session']}", "X-Load-Name": name}
        return self._check(self.client.get(url, headers=headers, name=name, catch_response=True))

    def api(self, method: str, url: str, name: str, body=None, headers=None):
        h = {
            **self.base,
            "Authorization": f"Token {self.me['token']}",
            "X-Load-Name": name,
            **(headers or {}),
        }
        return self._check(
            self.client.request(method, url, headers=h, json=body, name=name, catch_response=True)
        )

    @staticmethod
    def _check(response):
        with response:
            if response.status_code in (200, 201, 302, 304, 409):
                response.success()
            else:
                # A dropped connection (a worker killed by its timeout) has no body: status 0.
                response.failure(f"{response.status_code}: {(response.text or '')[:200]}")
        return response

    def take(self, key: str):
        items = self.work.get(key) or []
        return items.pop(0) if items else None

    def pick(self, key: str):
        items = self.me["work"].get(key) or []
        return random.choice(items) if items else None


class Resident(Staff):
    weight = 34
    kind = "resident"

    @task(3)
    def guide(self):
        self.page("/guide/", "resident: guide")

    @task(3)
    def guide_matter(self):
        self.page(f"/guide/{random.choice(DATA['matters'])}/", "resident: guide matter")

    @task(2)
    def mine(self):
        self.page("/my/applications/", "resident: my applications")

    @task(2)
    def one(self):
        number = self.pick("numbers")
        if number:
            self.page(f"/applications/{number}/", "resident: application")

    @task(2)
    def status(self):
        number, last4 = random.choice(DATA["numbers"])
        ip = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
        headers = {**self.base, "X-Forwarded-For": ip, "X-Load-Name": "resident: status lookup API"}
        self._check(
            self.client.get(
                f"/api/v1/status/?number={number}&mobile_last4={last4}",
                headers=headers,
                name="resident: status lookup API",
                catch_response=True,
            )
        )

    @task(1)
    def apply(self):
        r = self.api(
            "POST",
            "/api/v1/applications/",
            "resident: apply (create)",
            {"matter_code": random.choice(DATA["matters"]), "channel": "online"},
        )
        if r.status_code != 201:
            return
        ref = r.json()["reference"]
        self.api(
            "PATCH",
            f"/api/v1/applications/{ref}/",
            "resident: apply (declaration)",
            {"declaration_accepted": True, "applicant_mobile": "13800000000"},
        )
        self.api("POST", f"/api/v1/applications/{ref}/submit/", "resident: apply (submit)")

    @task(1)
    def report(self):
        lat, lng = random.choice(DATA["points"])
        self.api(
            "POST",
            "/api/v1/incidents/",
            "resident: report incident",
            {
                "client_uuid": str(uuid.uuid4()),
                "category": random.choice(DATA["categories"]),
                "description": "路边堆放杂物，影响通行。",
                "lat": lat,
                "lng": lng,
            },
        )


class Clerk(Staff):
    weight = 14
    kind = "clerk"

    @task(4)
    def intake(self):
        self.page("/staff/intake/", "clerk: intake queue")

    @task(2)
    def release_queue(self):
        self.page("/staff/release/", "clerk: release queue")

    @task(2)
    def one(self):
        number = self.pick("accept") or self.pick("release")
        if number:
            self.page(f"/staff/applications/{number}/", "clerk: application")

    @task(2)
    def accept(self):
        number = self.take("accept")
        if not number:
            return
        r = self.api("GET", f"/api/v1/applications/{number}/", "clerk: application API")
        if r.status_code != 200:
            return
        checks = [{"id": m["id"], "status": "received"} for m in r.json().get("materials", [])]
        self.api(
            "POST",
            f"/api/v1/applications/{number}/accept/",
            "clerk: accept",
            {"checks": checks},
        )


class Reviewer(Staff):
    weight = 14
    kind = "reviewer"

    @task(4)
    def queue(self):
        self.page("/staff/review/", "reviewer: review queue")

    @task(2)
    def queue_api(self):
        self.api(
            "GET",
            "/api/v1/applications/?state=accepted&state=in_review",
            "reviewer: queue API",
        )

    @task(2)
    def one(self):
        number = self.pick("decide") or self.pick("claim")
        if number:
            self.page(f"/staff/applications/{number}/", "reviewer: application")

    @task(1)
    def claim(self):
        number = self.take("claim")
        if number:
            r = self.api("POST", f"/api/v1/applications/{number}/claim/", "reviewer: claim")
            if r.status_code == 200:
                self.work.setdefault("decide", []).append(number)

    @task(1)
    def decide(self):
        number = self.take("decide")
        if number:
            self.api(
                "POST",
                f"/api/v1/applications/{number}/decide/",
                "reviewer: decide",
                {"outcome": "grant", "basis": "《行政许可法》第三十八条"},
            )


class GridMember(Staff):
    weight = 12
    kind = "grid"

    @task(4)
    def mine(self):
        self.page("/grid/incidents/", "grid: my incidents")

    @task(2)
    def one(self):
        number = self.pick("open")
        if number:
            self.page(f"/grid/incidents/{number}/", "grid: incident")

    @task(1)
    def listing(self):
        self.api("GET", "/api/v1/incidents/?state=open", "grid: incidents API")

    @task(1)
    def verify(self):
        number = self.take("verify")
        if number:
            self.api(
                "POST", f"/api/v1/incidents/{number}/verify/", "grid: verify", {"note": "属实"}
            )


class Department(Staff):
    weight = 5
    kind = "department"

    @task(3)
    def orders(self):
        self.page("/grid/work-orders/", "department: work orders")

    @task(2)
    def one(self):
        pk = self.pick("sign_for")
        if pk:
            self.page(f"/grid/work-orders/{pk}/", "department: work order")

    @task(1)
    def sign_for(self):
        pk = self.take("sign_for")
        if pk:
            self.api("POST", f"/api/v1/work-orders/{pk}/sign-for/", "department: sign for", {})


class Officer(Staff):
    weight = 6
    kind = "officer"

    @task(3)
    def desk(self):
        self.page("/enforcement/desk/", "officer: desk")

    @task(3)
    def case(self):
        number = self.pick("cases")
        if number:
            self.page(f"/enforcement/cases/{number}/", "officer: case")

    @task(1)
    def cases_api(self):
        self.api("GET", "/api/v1/enforcement/cases/", "officer: cases API")


class Supervisor(Staff):
    weight = 7
    kind = "supervisor"

    @task(3)
    def dashboard(self):
        self.page("/dashboard/", "supervisor: dashboard")

    @task(2)
    def dashboard_api(self):
        self.api("GET", "/api/v1/dashboard/applications/", "supervisor: dashboard API")

    @task(1)
    def time_limits(self):
        self.api("GET", "/api/v1/dashboard/time-limits/", "supervisor: time-limits API")


class Hotline(Staff):
    weight = 5
    kind = "hotline"

    def on_start(self):
        super().on_start()
        self.sent: list[str] = []

    @task(2)
    def call(self):
        external = f"RX{uuid.uuid4().hex[:16]}"
        r = self.api(
            "POST",
            "/api/v1/incidents/hotline/",
            "hotline: incident",
            {
                "external_number": external,
                "category": random.choice(DATA["categories"]),
                "description": "市民来电反映：夜间施工噪声扰民。",
                "village": random.choice(DATA["villages"]) if DATA["villages"] else "",
                "caller_mobile": "13900000000",
            },
        )
        if r.status_code in (200, 201):
            self.sent.append(external)

    @task(1)
    def status(self):
        if self.sent:
            self.api(
                "GET",
                f"/api/v1/incidents/hotline/{random.choice(self.sent)}/",
                "hotline: call status",
            )

    @task(1)
    def department(self):
        self.api(
            "GET",
            f"/api/v1/departments/{random.choice(DATA['departments'])}/",
            "hotline: department",
        )


class Dispatcher(Staff):
    fixed_count = 3
    kind = "dispatcher"
    wait_time = constant(5)

    def on_start(self):
        super().on_start()
        self.etag = ""

    @task
    def board(self):
        headers = {"If-None-Match": self.etag} if self.etag else {}
        r = self.api("GET", "/api/v1/centre/board/", "dispatcher: board poll", headers=headers)
        if r.status_code == 200:
            self.etag = r.headers.get("ETag", "") or ""


class Floor(FastHttpUser):
    """The framework's floor: bench.urls' bare view on the same gunicorn (run.py runs it
    alone, before the mix, with no wait)."""

    abstract = os.environ.get("LOAD_FLOOR") != "1"
    wait_time = constant(0)

    @task
    def bare(self):
        self.client.get(
            "/bench/bare/",
            headers={"X-Forwarded-Proto": "https", "X-Load-Name": "floor: bare Django"},
            name="floor: bare Django",
        )


class Steps(LoadTestShape):
    """LOAD_STEPS="30:120,60:120" — users and seconds of each step (run.py reads the steps'
    boundaries back from the log's times)."""

    abstract = not os.environ.get("LOAD_STEPS")

    def __init__(self):
        super().__init__()
        self.steps = []
        elapsed = 0
        for part in os.environ.get("LOAD_STEPS", "").split(","):
            if part:
                users, seconds = (int(x) for x in part.split(":"))
                elapsed += seconds
                self.steps.append((elapsed, users))

    def tick(self):
        t = self.get_run_time()
        for end, users in self.steps:
            if t < end:
                return users, max(users, 10)
        return None
