#!/usr/bin/env bash
# Starts the web server, two Celery workers (queue "celery": sweeps and timed work; queue
# "notifications": e-mail/SMS sends) and Celery beat together; Ctrl-C stops them all.
# Two workers are safe on the file-system broker: each message is a file named after its queue and
# each worker reads only its own queue's files; SQLite sees two writing processes, as one worker
# of concurrency 2 did before.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-portal.settings.local}
# The public address notices and messages link to (QR codes included): this server's port.
export SITE_URL="${SITE_URL:-http://127.0.0.1:${PORT:-8000}}"
mkdir -p var/broker/queue var/broker/processed var/broker/control var/media var/log

db="SQLite var/onewindow.sqlite3"; [ -n "${DATABASE_URL:-}" ] && db="DATABASE_URL"
broker="file system under var/broker"; [ -n "${REDIS_URL:-}" ] && broker="Redis (REDIS_URL)"
echo "== database: $db; Celery broker: $broker"
if [ -n "${DEBUG:-}" ]; then echo "== DEBUG=$DEBUG: Django's debug pages are on"; else echo "== error pages as users see them (DEBUG=1 make run for Django's debug pages)"; fi


$BIN/python manage.py migrate --no-input -v0
$BIN/python manage.py seed_demo
$BIN/python manage.py collectstatic --no-input -v0

# $! must be the program's PID, not sed's: its output goes to sed through a process
# substitution, so stop() kills the programs themselves.
pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "== stopping web, workers and beat"
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

$BIN/celery -A portal worker -l info -Q celery --concurrency 1 -n "worker@%h" > >(sed -u 's/^/[worker] /') 2>&1 &
pids+=($!)
$BIN/celery -A portal worker -l info -Q "${NOTIFICATIONS_QUEUE:-notifications}" --concurrency 1 -n "sends@%h" > >(sed -u 's/^/[sends]  /') 2>&1 &
pids+=($!)
$BIN/celery -A portal beat -l info > >(sed -u 's/^/[beat]   /') 2>&1 &
pids+=($!)
$BIN/python manage.py runserver 127.0.0.1:${PORT:-8000} --noreload > >(sed -u 's/^/[web]    /') 2>&1 &
pids+=($!)

sleep 2
cat <<MSG

  OneWindow 一窗通办 is running: http://127.0.0.1:${PORT:-8000}/
  API docs: http://127.0.0.1:${PORT:-8000}/api/docs/   admin: http://127.0.0.1:${PORT:-8000}/admin/

  Demo log-ins (password for all: Demo@2026):
    citizen      群众          proxy        帮代办员       clerk       窗口受理
    release      出件窗口       reviewer     后台审查       reviewer2   社会事务审查
    district     区级审查       supervisor   督查/领导      registrar   事项清单管理员
    gridmember   网格员         gridhead     网格长         dispatcher  调度员
    officer      执法队员       squadleader  执法中队长     dispatcher2 夜班调度员
    deptstaff    部门工单承办   depthead     部门负责人

  Unattended hall devices (no log-in): open once on the kiosk / the hall TV —
    kiosk   http://127.0.0.1:${PORT:-8000}/hall/device/?token=demo-kiosk-2026
    screen  http://127.0.0.1:${PORT:-8000}/hall/device/?token=demo-screen-2026
    command centre wall  http://127.0.0.1:${PORT:-8000}/hall/device/?token=demo-wall-2026

  Ctrl-C stops everything.

MSG
wait -n "${pids[@]}"
