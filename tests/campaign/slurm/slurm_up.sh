#!/usr/bin/env bash
# Starts a single-node Slurm cluster from Debian 12's packages for the tests (facts and failure
# modes: ../shared/reference/slurm-local.md): installs munge, slurm-client, slurmctld and slurmd
# when missing (a temporary policy-rc.d keeps their postinsts from starting services), starts
# munged as the munge user, writes slurm.conf under $SLURM_CI_DIR, starts slurmctld and slurmd and
# waits until the node is idle. Clients find the cluster through $SLURM_CI_DIR/env
# (SLURM_CONF=...). tests/campaign/slurm/slurm_down.sh stops everything this script started.
#
#   SLURM_CI_DIR=/tmp/x tests/campaign/slurm/slurm_up.sh      (root only; exit 77 = cannot run here)
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
  echo "slurm_up: needs root (installs packages, starts daemons)" >&2
  exit 77
fi
D=${SLURM_CI_DIR:?set SLURM_CI_DIR to a fresh folder}
mkdir -p "$D"/{state,spool,log}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

missing=()
for package in munge slurm-client slurmctld slurmd; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "slurm_up: installing ${missing[*]}"
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then  # no services started by the postinsts
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    created_policy=1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  if [ $created_policy -eq 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
fi

# munge: key owned by munge (0400), /etc/munge 0700, munged as the munge user.
if [ ! -s /etc/munge/munge.key ]; then
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown munge:munge /etc/munge /etc/munge/munge.key
chmod 0700 /etc/munge
chmod 0400 /etc/munge/munge.key
install -d -o munge -g munge -m 0755 /run/munge
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged
  echo started >"$D/munged.ours"  # slurm_down.sh stops only a munged this script started
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
fi

node=$(hostname -s)
hardware=$(slurmd -C | head -1 | sed -e 's/^NodeName=[^ ]* //' -e 's/ UpTime=.*//')
# Stand-in GPUs for --gres/--gpus scripts: slurmd needs character devices behind gres/gpu, so
# each is a node with /dev/null's numbers (slurm-local.md); CUDA_VISIBLE_DEVICES works as on a
# real GPU node, while nothing can compute on them.
gpus=${SLURM_CI_GPUS:-2}
gres_node=
if [ "$gpus" -gt 0 ]; then
  mkdir -p "$D/fakegpu"
  for ((i = 0; i < gpus; i++)); do
    [ -e "$D/fakegpu/gpu$i" ] || mknod -m 666 "$D/fakegpu/gpu$i" c 1 3
  done
  gres_node="Gres=gpu:$gpus"
  printf 'AutoDetect=off\nNodeName=%s Name=gpu File=%s/fakegpu/gpu[0-%d]\n' \
    "$node" "$D" $((gpus - 1)) >"$D/gres.conf"
fi
cat >"$D/slurm.conf" <<CONF
ClusterName=ci
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=${SLURM_CI_CTLD_PORT:-6817}
SlurmdPort=${SLURM_CI_SLURMD_PORT:-6818}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/log/slurmctld.log
SlurmdLogFile=$D/log/slurmd.log
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
EnforcePartLimits=ALL
DependencyParameters=kill_invalid_depend
MpiDefault=pmix
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$D/log/jobcomp.txt
JobAcctGatherType=jobacct_gather/none
GresTypes=gpu
ReturnToService=2
MinJobAge=600
KillWait=10
NodeName=$node NodeAddr=127.0.0.1 $hardware $gres_node State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
echo "export SLURM_CONF=$D/slurm.conf" >"$D/env"
export SLURM_CONF="$D/slurm.conf"
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 300); do
  [ "$(sinfo -h -o %T 2>/dev/null)" = idle ] && break
  sleep 0.1
done
if [ "$(sinfo -h -o %T 2>/dev/null)" != idle ]; then
  echo "slurm_up: the node did not become idle; logs in $D/log" >&2
  tail -20 "$D/log/slurmctld.log" "$D/log/slurmd.log" >&2 || true
  exit 1
fi
echo "slurm_up: cluster up ($(sinfo -h -o '%N %c CPUs %T')), SLURM_CONF=$SLURM_CONF"
