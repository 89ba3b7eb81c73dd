"""How long one PDF notice takes to render (approvals.notices.render_notice).

    .venv/bin/python bench/notices.py [--rounds 200]

Prints, per kind, the median and 95th percentile of warm renders, plus the cold first render
of a fresh process (font files read and registered) and the size of each PDF. No database.
Figures go to docs/notices.md.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from approvals.notices import KINDS, NoticeContext, NoticeItem, render_notice  # noqa: E402

BASE = dict(
    town_name="下埠镇",
    department_name="下埠镇便民服务中心",
    application_number="XB2026092400012",
    matter_name="食品经营许可（仅销售预包装食品）",
    applicant_name="欧阳晓燕",
    applicant_id_masked="3603**********1234",
    issued_on=date(2026, 9, 24),
    received_on=date(2026, 9, 23),
    accepted_on=date(2026, 9, 24),
    due_date=date(2026, 10, 9),
    statutory_due_date=date(2026, 10, 28),
    status_url="https://onewindow.example.gov.cn/status/?number=XB2026092400012",
)
EXTRA = {
    "acceptance": {},
    "correction": dict(
        items=[NoticeItem("营业执照复印件", "复印件不清晰"), NoticeItem("经营场所平面图", "缺少")],
        materials_due_date=date(2026, 9, 30),
    ),
    "refusal": dict(
        reason="不属于本机关职权范围", legal_basis="《中华人民共和国行政许可法》第三十二条"
    ),
    "suspension": dict(procedure_kind="expert_review", reason="需组织专家评审", days=10),
    "extension": dict(reason="需征求区自然资源局意见", days=10, due_date=date(2026, 10, 23)),
    "decision_grant": dict(legal_basis="《中华人民共和国食品安全法》第三十五条"),
    "decision_deny": dict(
        reason="场所不符合要求", legal_basis="《中华人民共和国食品安全法》第三十五条"
    ),
}
CASES = {kind: (kind, NoticeContext(**{**BASE, **EXTRA[kind]})) for kind in KINDS}
CASES["correction, 40 items (2 pages)"] = (
    "correction",
    NoticeContext(
        **{
            **BASE,
            **EXTRA["correction"],
            "items": [
                NoticeItem(f"第{n}项证明材料", f"第{n}项问题：与登记信息不一致") for n in range(40)
            ],
        }
    ),
)


def cold() -> float:
    """Seconds for the first render in a new process (imports excluded)."""
    code = (
        "import os,sys,time; sys.path.insert(0, sys.argv[1]);"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE','portal.settings.test');"
        "import django; django.setup(); import bench.notices as b;"
        "t=time.perf_counter(); b.render_notice('acceptance', b.CASES['acceptance'][1]);"
        "print(time.perf_counter()-t)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(ROOT)], check=True, capture_output=True, text=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    colds = [cold() for _ in range(3)]
    print(
        f"cold first render (new process, fonts loaded): {statistics.median(colds) * 1000:.0f} ms"
    )
    render_notice("acceptance", CASES["acceptance"][1])  # warm up
    print(f"{'notice':34} {'median':>8} {'p95':>8} {'size':>9}")
    for label, (kind, context) in CASES.items():
        times = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            pdf = render_notice(kind, context)
            times.append(time.perf_counter() - start)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        print(
            f"{label:34} {statistics.median(times) * 1000:6.1f}ms {p95 * 1000:6.1f}ms"
            f" {len(pdf) / 1024:7.1f}KB"
        )


if __name__ == "__main__":
    main()
