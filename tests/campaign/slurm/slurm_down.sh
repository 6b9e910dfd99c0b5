#!/usr/bin/env bash
# Stops what tests/campaign/slurm/slurm_up.sh started for $SLURM_CI_DIR, also after a failed test: cancels
# every job, waits for their step daemons, stops slurmd and slurmctld (by their pid files),
# munged only if slurm_up.sh started it, and removes $SLURM_CI_DIR. Never fails.
set -uo pipefail
D=${1:-${SLURM_CI_DIR:-}}
[ -n "$D" ] && [ -d "$D" ] || exit 0
export SLURM_CONF="$D/slurm.conf"

# A zombie answers kill -0 too: gone means no /proc entry or state Z.
alive() { [ -r "/proc/$1/stat" ] && ! awk '{exit !($3 == "Z")}' "/proc/$1/stat" 2>/dev/null; }
stop_pid() {  # TERM, then KILL after 5 s
  local pid=$1
  [ -n "$pid" ] && alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 50); do alive "$pid" || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
}
# slurmstepd processes outlive slurmd by design; ours carry this cluster's SLURM_CONF.
our_stepds() {
  local pid
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = slurmstepd ] || continue
    tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "SLURM_CONF=$SLURM_CONF" && echo "$pid"
  done
}

if [ -f "$D/slurmctld.pid" ] && alive "$(cat "$D/slurmctld.pid")"; then
  scancel --full $(squeue -h -o %A 2>/dev/null) 2>/dev/null
  for _ in $(seq 100); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.1; done
fi
[ -f "$D/slurmd.pid" ] && stop_pid "$(cat "$D/slurmd.pid")"
for pid in $(our_stepds); do stop_pid "$pid"; done
[ -f "$D/slurmctld.pid" ] && stop_pid "$(cat "$D/slurmctld.pid")"
if [ -f "$D/munged.ours" ] && [ -f /run/munge/munged.pid ]; then
  stop_pid "$(cat /run/munge/munged.pid)"
fi
rm -rf "$D"
echo "slurm_down: stopped"
exit 0
