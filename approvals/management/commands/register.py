"""The register from the shell:

    python manage.py register import FILE [--dry-run] [--retire-missing [--confirm-retire N]]
                                          [--user NAME]
    python manage.py register undo JOB      # bring back what an import retired (30 days)
    python manage.py register export FILE [--on YYYY-MM-DD] [--latest]
    python manage.py register generate --matters 1129 [--materials 5] FILE.xlsx

``import`` checks every row first and lists every problem (exit status 1, nothing written);
``--dry-run`` shows what would be created, changed and retired and writes nothing. An import
adds and changes; it retires the matters in force that the file does not list only with
``--retire-missing`` (``--keep-missing``, the old way to ask for today's default, is accepted
and does nothing). Retiring more than the configured share of the register (20% by default)
needs ``--confirm-retire N`` with N the number retired; ``undo`` brings an import's
retirements back in force, as new versions, for 30 days."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class Command(BaseCommand):
    help = "Import, export or generate the register of delegated powers (.xlsx)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a register file")
        imp.add_argument("file")
        imp.add_argument("--dry-run", action="store_true", help="check and preview only")
        imp.add_argument(
            "--retire-missing",
            action="store_true",
            help="retire the matters in force that the file does not list (the file is the "
            "whole register)",
        )
        imp.add_argument(
            "--keep-missing",
            action="store_true",
            help="accepted for old scripts; keeping the matters the file does not list is the "
            "default",
        )
        imp.add_argument(
            "--confirm-retire",
            metavar="N",
            help="the number of matters to retire, required above the configured share",
        )
        imp.add_argument("--user", help="user name recorded in the audit trail")
        undo = sub.add_parser("undo", help="bring back in force what an import retired")
        undo.add_argument("job", help="the import's id (printed by import, shown on its page)")
        undo.add_argument("--user", help="user name recorded in the audit trail")
        exp = sub.add_parser("export", help="export the register")
        exp.add_argument("file")
        exp.add_argument("--on", help="versions in force on this day (YYYY-MM-DD)")
        exp.add_argument("--latest", action="store_true", help="newest version of each code")
        gen = sub.add_parser("generate", help="write a synthetic register for scale tests")
        gen.add_argument("file")
        gen.add_argument("--matters", type=int, default=1129)
        gen.add_argument("--materials", type=int, default=5)
        gen.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        return getattr(self, f"do_{options['action']}")(options)

    def do_import(self, options):
        from approvals.register_io import import_register, retire_confirm_share

        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("找不到文件：%(path)s") % {"path": path})
        actor = self._actor(options.get("user"))
        result = import_register(
            path.read_bytes(),
            actor=actor,
            dry_run=options["dry_run"],
            retire_missing=options["retire_missing"],
            confirm_retire=options.get("confirm_retire"),
            file_name=path.name,
        )
        if result.problems:
            for problem in result.problems:
                self.stderr.write(str(problem))
            n = len(result.problems)
            raise CommandError(
                ngettext("发现 %(n)s 处问题，文件未导入。", "发现 %(n)s 处问题，文件未导入。", n)
                % {"n": n}
            )
        report = result.report
        for entry in report["entries"]:
            label = {"create": _("新增"), "change": _("变更"), "retire": _("停用")}[entry["action"]]
            fields = "、".join(entry["fields"])
            self.stdout.write(
                f"{label} {entry['code']} {entry['name']} v{entry['version']}"
                + (f"（{fields}）" if fields else "")
            )
        summary = _("新增 %(c)s，变更 %(u)s，停用 %(r)s，无变化 %(n)s。") % {
            "c": report["created"],
            "u": report["changed"],
            "r": report["retired"],
            "n": report["unchanged"],
        }
        if report["retired"]:
            self.stdout.write(
                self.style.WARNING(
                    _("将停用 %(n)s 项，占现行事项 %(share)s%%。")
                    % {"n": report["retired"], "share": report["retire_share"]}
                )
            )
        if result.needs_confirmation:
            raise CommandError(
                _(
                    "停用超过现行事项的 %(percent)s%%，未写入任何数据。确认停用请加上 "
                    "--confirm-retire %(n)s 重新运行。"
                )
                % {"percent": round(retire_confirm_share() * 100), "n": report["retired"]}
            )
        if options["dry_run"]:
            self.stdout.write(_("预览（未写入）：") + summary)
        else:
            self.stdout.write(self.style.SUCCESS(_("已导入：") + summary))
            if result.job is not None and result.job.retired_versions:
                self.stdout.write(
                    _("%(days)s 天内可撤销本次停用：python manage.py register undo %(job)s")
                    % {"days": result.job.undo_days(), "job": result.job.public_id}
                )

    def do_undo(self, options):
        from approvals.models import RegisterImportJob
        from approvals.services.register import import_job_undo_retirements
        from portal.errors import ActionError

        job = None
        try:
            job = RegisterImportJob.objects.filter(public_id=options["job"]).first()
        except Exception:  # noqa: BLE001 - not a UUID
            job = None
        if job is None:
            raise CommandError(_("找不到导入任务：%(job)s") % {"job": options["job"]})
        try:
            result = import_job_undo_retirements(actor=self._actor(options.get("user")), job=job)
        except ActionError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("已撤销本次导入的停用：%(n)s 项恢复现行（作为新版本）。")
                % {"n": len(result["restored"])}
            )
        )
        if result["skipped"]:
            self.stdout.write(
                _("%(codes)s 已有现行或待生效版本，未重复恢复。")
                % {"codes": "、".join(result["skipped"])}
            )

    def do_export(self, options):
        from approvals.register_io import export_register

        on = None
        if options.get("on"):
            try:
                on = date.fromisoformat(options["on"])
            except ValueError:
                raise CommandError(_("日期格式应为 YYYY-MM-DD。")) from None
        Path(options["file"]).write_bytes(export_register(on=on, latest=options["latest"]))
        self.stdout.write(self.style.SUCCESS(_("已导出到 %(path)s") % {"path": options["file"]}))

    def do_generate(self, options):
        from approvals.register_io import generate_register

        if options["matters"] < 1 or not 0 <= options["materials"] <= 10:
            raise CommandError(_("事项数至少为1，每项材料数为0到10。"))
        content = generate_register(
            matters=options["matters"], materials=options["materials"], seed=options["seed"]
        )
        Path(options["file"]).write_bytes(content)
        self.stdout.write(
            self.style.SUCCESS(
                _("已生成 %(n)s 个事项，写入 %(path)s")
                % {"n": options["matters"], "path": options["file"]}
            )
        )

    def _actor(self, username):
        if not username:
            return "manage.py register"
        from portal.models import User

        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("用户不存在：%(name)s") % {"name": username})
        return user
