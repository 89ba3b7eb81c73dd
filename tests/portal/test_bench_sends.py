"""bench/sends.py's accounting (the worker itself is not started here): /proc parsing, process
trees, a process that ended counted in its parent, the window's sums and the rounds' summary."""

import subprocess
import sys

import pytest

from bench import sends

STAT = "4242 (my (odd) name) S 17 4242 4242 0 -1 4194304 100 0 0 0 250 50 7 3 20 0 1 0 99 1 2"
PROC_STAT = "cpu  100 5 40 800 20 3 2 1 9 0\ncpu0 50 2 20 400 10 1 1 0 4 0\nintr 1\n"


def test_pid_stat_reads_a_command_with_spaces_and_parentheses():
    assert sends.pid_stat(STAT) == ("my (odd) name", 17, 300, 10)


def test_machine_busy_is_all_but_idle_and_iowait_guest_counted_once():
    # user nice system idle iowait irq softirq steal (guest 9 is inside user already)
    assert sends.machine_ticks(PROC_STAT) == (100 + 5 + 40 + 3 + 2 + 1, 971)


def test_tree_is_the_root_and_every_descendant_only():
    procs = {1: ("init", 0), 10: ("celery", 1), 11: ("celery", 10), 12: ("x", 11), 20: ("y", 1)}
    assert sends.tree(procs, 10) == {10, 11, 12}
    assert sends.tree(procs, 99) == set()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc")
def test_a_child_that_ended_is_counted_in_its_parent():
    before = sends.groups(sends.snapshot(), worker=1, sessions=0)
    burn = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass"
    subprocess.run([sys.executable, "-c", burn], check=True)  # ended and reaped by this process
    after = sends.groups(sends.snapshot(), worker=1, sessions=0)
    assert after["script"] - before["script"] >= 0.25
    assert after["machine"] - before["machine"] >= 0.25


def test_window_leaves_the_rest_of_the_machine_unattributed():
    before = dict.fromkeys(["worker", "postgres", "sessions", "redis", "script", "machine"], 0.0)
    after = {"worker": 4.0, "postgres": 9.0, "sessions": 2001, "redis": 0.5, "script": 0.1}
    got = sends.window(before, after | {"machine": 20.0}, count=2000, wall=10.0)
    assert got["other"] == pytest.approx(6.4)
    assert (got["rate"], got["sessions"], got["worker"]) == (200.0, 2001, 4.0)


def test_summary_takes_each_column_on_its_own_and_the_rate_of_that_wall():
    rounds = [
        dict.fromkeys(sends.COLUMNS, float(v)) | {"wall": w, "count": 2000}
        for v, w in ((3, 20.0), (1, 10.0), (2, 40.0))
    ]
    median = sends.summary(rounds)
    assert (median["worker"], median["wall"], median["rate"]) == (2.0, 20.0, 100.0)
    least = sends.summary(rounds, min)
    assert (least["postgres"], least["wall"], least["rate"]) == (1.0, 10.0, 200.0)
