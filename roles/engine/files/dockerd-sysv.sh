#!/bin/sh
# Copyright (c) 2026 Anchorage developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The engine role's control of dockerd where systemd does not run, passed to the node as `sh -c SCRIPT sh ACTION
# PIDFILE INIT_SCRIPT DOCKERD TIMEOUT` (roles/engine/vars/main.yml: _engine_sysv_script), ACTION one of status,
# start, restart, reload. Debian's init script has no reload (SIGHUP is what `systemctl reload docker` sends too),
# its status only knows a dockerd it started itself, and its start fails where CAP_SYS_RESOURCE is missing (it
# raises ulimits under `set -e`): then dockerd is started the way the init script would, without the ulimits.
set -eu
action="$1"; pidfile="$2"; init="$3"; dockerd="$4"; timeout="$5"
name=$(basename "$init")
ssd_pidfile="/var/run/$name-ssd.pid"
log="/var/log/$name.log"
alive() { kill -0 "$1" 2>/dev/null && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
running_pid() { pid=$(cat "$pidfile" 2>/dev/null || true); [ -n "$pid" ] && alive "$pid" && echo "$pid"; }
start() {
  rm -f "$ssd_pidfile"
  if [ -x "$init" ] && "$init" start; then return 0; fi
  echo "$init start failed; starting $dockerd directly" >&2
  start-stop-daemon --start --background --no-close --exec "$dockerd" \
    --pidfile "$ssd_pidfile" --make-pidfile -- -p "$pidfile" >>"$log" 2>&1
}
stop() {
  pid=$(running_pid) || return 0
  kill -TERM "$pid"
  waited=0
  while alive "$pid"; do
    if [ "$waited" -ge "$timeout" ]; then echo "dockerd (PID $pid) did not stop within ${timeout}s" >&2; exit 1; fi
    sleep 1; waited=$((waited + 1))
  done
}
case "$action" in
  status) running_pid >/dev/null ;;
  start) running_pid >/dev/null || start ;;
  restart) stop; start ;;
  reload) pid=$(running_pid) || { echo "dockerd is not running ($pidfile)" >&2; exit 1; }; kill -HUP "$pid" ;;
  *) echo "unknown action $action" >&2; exit 2 ;;
esac
