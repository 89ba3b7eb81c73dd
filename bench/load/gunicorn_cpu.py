"""gunicorn configuration of the mixed-load benchmark (bench/load/run.py, ``-c``): each
worker's CPU time per request, written to LOAD_CPU_LOG as ``time  name  cpu_ms  status``
lines. The name is the load's request type (locust sends it as ``X-Load-Name``), else the
path. Wall-clock latencies on a shared machine are mostly waiting; the CPU milliseconds of the
worker that served a request are its own cost, and show which request types cost more under
the mix than alone (bench/load/per_request.py measures them alone). Nothing here is product
code; the hooks cost a few microseconds a request."""

import os
import time

_log = None


def post_fork(server, worker):
    global _log
    path = os.environ.get("LOAD_CPU_LOG")
    # one line per write, appended: the workers' lines interleave whole
    _log = open(path, "a", buffering=1) if path else None  # noqa: SIM115


def pre_request(worker, req):
    worker.load_cpu_started = time.process_time()


def post_request(worker, req, environ, resp):
    if _log is None:
        return
    cpu_ms = (time.process_time() - getattr(worker, "load_cpu_started", time.process_time())) * 1000
    name = next((value for key, value in req.headers if key == "X-LOAD-NAME"), req.path)
    status = getattr(resp, "status_code", None) or str(getattr(resp, "status", "0")).split()[0]
    _log.write(f"{time.time():.3f}\t{name}\t{cpu_ms:.2f}\t{status}\n")
