#!/usr/bin/env bash
# Restore the etcd members of a cdk8s-karmada installation from a snapshot on the etcd backup volume.
#
# Every member gets a new data directory restored from the same snapshot, so the cluster comes back as it was when the
# snapshot was taken (writes made after it are lost). The control plane is stopped meanwhile:
#   1. read each member's StatefulSet (its --name, --initial-cluster, --initial-cluster-token,
#      --initial-advertise-peer-urls, --data-dir and image) and the backup CronJob (its claim and shell image);
#   2. suspend the etcd CronJobs; scale every Deployment of the installation to 0 and wait until no control-plane pod
#      runs; scale every member StatefulSet to 0 and wait until the member pods are gone. The replicas and suspension
#      are recorded first in annotations (karmada.io/replicas-before-etcd-restore, karmada.io/suspend-before-etcd-
#      restore): after a failure, fix the cause and run the script again, and it brings back the recorded values;
#   3. for each member in turn, a restore Pod that mounts the backup claim read-only and the member's data claim
#      (data-<member>-0): `etcdutl snapshot restore` into <data-dir>.restoring, then the old data directory is moved
#      aside to <data-dir>.before-restore-<UTC time> (kept: delete it once satisfied) and the restored one into place;
#   4. scale the members back to 1 and wait until every one is Ready, then the Deployments back to their replicas, and
#      resume the CronJobs.
# The restore Pods mount the backup claim and a member's data claim at once: both must be attachable on one node
# (a ReadWriteMany backup claim, or volumes in the same zone).
#
#   scripts/restore-etcd.sh -s SNAPSHOT [-n NAMESPACE] [-i INSTANCE] [-c CLAIM] [-b SHELL_IMAGE] [-t TIMEOUT] [--dry-run]
#     -s  file name of the snapshot on the backup volume, e.g. etcd-snapshot-20260101T001700Z.db
#     -n  namespace of the installation              (default karmada-system)
#     -i  installation name (HATopology name)         (default karmada)
#     -c  the claim that holds the snapshots          (default: the backup CronJob's)
#     -b  the shell image of the restore Pods         (default: the backup CronJob's, else busybox)
#     -t  how long to wait for each step              (default 600s)
#     --dry-run  read the cluster, print every restore Pod, change nothing
set -euo pipefail

namespace=karmada-system
instance=karmada
snapshot=
claim=
shell_image=
timeout=600s
dry_run=0
args=()
for arg in "$@"; do
  if [ "${arg}" = "--dry-run" ]; then dry_run=1; else args+=("${arg}"); fi
done
set -- "${args[@]+"${args[@]}"}"
while getopts "s:n:i:c:b:t:h" option; do
  case "${option}" in
    s) snapshot="${OPTARG}" ;;
    n) namespace="${OPTARG}" ;;
    i) instance="${OPTARG}" ;;
    c) claim="${OPTARG}" ;;
    b) shell_image="${OPTARG}" ;;
    t) timeout="${OPTARG}" ;;
    *) sed -n '2,27p' "$0"; exit 2 ;;
  esac
done

die() { echo "restore-etcd: $*" >&2; exit 1; }
say() { echo "restore-etcd: $*"; }
k() { kubectl --namespace "${namespace}" "$@"; }

[ -n "${snapshot}" ] || die "name the snapshot with -s, e.g. -s etcd-snapshot-20260101T001700Z.db (list them with the backup Job's log)"
case "${snapshot}" in
  */* | .* ) die "-s takes a file name on the backup volume, not a path: ${snapshot}" ;;
esac
seconds="${timeout%s}"
[[ "${seconds}" =~ ^[0-9]+$ ]] || die "-t takes seconds, e.g. 600s: ${timeout}"

# --- 1. read the installation ---------------------------------------------------------------------------
backup_cronjob="${instance}-etcd-backup"
if [ -z "${claim}" ]; then
  claim="$(k get cronjob "${backup_cronjob}" --output 'jsonpath={.spec.jobTemplate.spec.template.spec.volumes[?(@.name=="backups")].persistentVolumeClaim.claimName}' 2>/dev/null || true)"
  [ -n "${claim}" ] || die "no CronJob ${backup_cronjob} to read the backup claim from: name it with -c"
fi
if [ -z "${shell_image}" ]; then
  shell_image="$(k get cronjob "${backup_cronjob}" --output 'jsonpath={.spec.jobTemplate.spec.template.spec.containers[?(@.name=="rotate")].image}' 2>/dev/null || true)"
  shell_image="${shell_image:-docker.io/library/busybox:1.37.0}"
fi

member_selector="app.kubernetes.io/instance=${instance},app.kubernetes.io/name=etcd"
mapfile -t members < <(k get statefulsets --selector "${member_selector}" --output 'jsonpath={range .items[*]}{.metadata.name}{"\n"}{end}')
[ "${#members[@]}" -gt 0 ] || die "no etcd member of installation '${instance}' in namespace '${namespace}'"

declare -A m_name m_cluster m_token m_peer_urls m_data_dir m_image m_mount
etcd_container='.spec.template.spec.containers[?(@.name=="etcd")]'
for member in "${members[@]}"; do
  m_image[${member}]="$(k get statefulset "${member}" --output "jsonpath={${etcd_container}.image}")"
  m_mount[${member}]="$(k get statefulset "${member}" --output "jsonpath={${etcd_container}.volumeMounts[?(@.name==\"data\")].mountPath}")"
  while IFS= read -r arg; do
    case "${arg}" in
      --name=*) m_name[${member}]="${arg#--name=}" ;;
      --initial-cluster=*) m_cluster[${member}]="${arg#--initial-cluster=}" ;;
      --initial-cluster-token=*) m_token[${member}]="${arg#--initial-cluster-token=}" ;;
      --initial-advertise-peer-urls=*) m_peer_urls[${member}]="${arg#--initial-advertise-peer-urls=}" ;;
      --data-dir=*) m_data_dir[${member}]="${arg#--data-dir=}" ;;
      --wal-dir=*) die "${member} keeps its WAL apart (--wal-dir): this script restores a data directory only" ;;
    esac
  done < <(k get statefulset "${member}" --output "jsonpath={range ${etcd_container}.args[*]}{@}{\"\\n\"}{end}")
  for field in m_name m_cluster m_token m_peer_urls m_data_dir m_image m_mount; do
    declare -n value="${field}"
    [ -n "${value[${member}]:-}" ] || die "StatefulSet ${member}: could not read ${field#m_} from its etcd container"
    unset -n value
  done
  case "${m_data_dir[${member}]}" in
    "${m_mount[${member}]}"/?*) ;;
    *) die "StatefulSet ${member}: --data-dir=${m_data_dir[${member}]} is not inside its data volume (${m_mount[${member}]})" ;;
  esac
done

# json STRING: STRING as a JSON string.
json() {
  local s="$1"
  s="${s//\\/\\\\}"; s="${s//\"/\\\"}"; s="${s//$'\n'/\\n}"
  printf '"%s"' "${s}"
}

# restore_pod MEMBER: the restore Pod of one member, as JSON. The restore command line lives here and only here.
restore_pod() {
  local member="$1" backups=/var/lib/etcd-backups
  local data_dir="${m_data_dir[${member}]}" mount="${m_mount[${member}]}"
  local prepare swap
  prepare="set -eu
[ -s ${backups}/${snapshot} ] || { echo \"no snapshot ${snapshot} on the backup volume (claim ${claim})\" >&2; exit 1; }
rm -rf ${data_dir}.restoring"
  swap="set -eu
[ -d ${data_dir}.restoring/member ] || { echo \"${data_dir}.restoring holds no restored member\" >&2; exit 1; }
if [ -e ${data_dir} ]; then aside=${data_dir}.before-restore-\$(date -u +%Y%m%dT%H%M%SZ); mv ${data_dir} \"\$aside\"; echo \"moved the old data directory to \$aside\"; fi
mv ${data_dir}.restoring ${data_dir}
echo \"restored ${snapshot} into ${data_dir}\""
  local security='{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]},"privileged":false,"readOnlyRootFilesystem":true,"runAsGroup":65532,"runAsNonRoot":true,"runAsUser":65532,"seccompProfile":{"type":"RuntimeDefault"}}'
  local small='{"limits":{"cpu":"200m","memory":"64Mi"},"requests":{"cpu":"10m","memory":"16Mi"}}'
  local mounts="[{\"mountPath\":$(json "${backups}"),\"name\":\"backups\",\"readOnly\":true},{\"mountPath\":$(json "${mount}"),\"name\":\"data\"}]"
  cat <<EOF
{
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {
    "name": $(json "${member}-restore"),
    "namespace": $(json "${namespace}"),
    "labels": {
      "app.kubernetes.io/instance": $(json "${instance}"),
      "app.kubernetes.io/name": "etcd-restore",
      "app.kubernetes.io/component": "etcd",
      "app.kubernetes.io/part-of": "karmada",
      "app.kubernetes.io/managed-by": "cdk8s-karmada"
    }
  },
  "spec": {
    "restartPolicy": "Never",
    "automountServiceAccountToken": false,
    "securityContext": {"fsGroup": 65532, "fsGroupChangePolicy": "OnRootMismatch", "runAsGroup": 65532, "runAsNonRoot": true, "runAsUser": 65532, "seccompProfile": {"type": "RuntimeDefault"}},
    "initContainers": [
      {
        "name": "prepare",
        "image": $(json "${shell_image}"),
        "imagePullPolicy": "IfNotPresent",
        "command": ["sh", "-c", $(json "${prepare}")],
        "resources": ${small},
        "securityContext": ${security},
        "volumeMounts": ${mounts}
      },
      {
        "name": "restore",
        "image": $(json "${m_image[${member}]}"),
        "imagePullPolicy": "IfNotPresent",
        "command": ["etcdutl"],
        "args": [
          "snapshot", "restore", $(json "${backups}/${snapshot}"),
          $(json "--name=${m_name[${member}]}"),
          $(json "--initial-cluster=${m_cluster[${member}]}"),
          $(json "--initial-cluster-token=${m_token[${member}]}"),
          $(json "--initial-advertise-peer-urls=${m_peer_urls[${member}]}"),
          $(json "--data-dir=${data_dir}.restoring"),
          "--bump-revision=1000000000",
          "--mark-compacted"
        ],
        "resources": {"limits": {"cpu": "2", "memory": "2Gi"}, "requests": {"cpu": "200m", "memory": "256Mi"}},
        "securityContext": ${security},
        "volumeMounts": ${mounts}
      }
    ],
    "containers": [
      {
        "name": "swap",
        "image": $(json "${shell_image}"),
        "imagePullPolicy": "IfNotPresent",
        "command": ["sh", "-c", $(json "${swap}")],
        "resources": ${small},
        "securityContext": ${security},
        "volumeMounts": ${mounts}
      }
    ],
    "volumes": [
      {"name": "backups", "persistentVolumeClaim": {"claimName": $(json "${claim}"), "readOnly": true}},
      {"name": "data", "persistentVolumeClaim": {"claimName": $(json "data-${member}-0")}}
    ]
  }
}
EOF
}

if [ "${dry_run}" -eq 1 ]; then
  say "dry run: would restore ${snapshot} (claim ${claim}) into ${members[*]}; the restore Pods:"
  for member in "${members[@]}"; do
    echo "--- ${member}"
    restore_pod "${member}"
  done
  exit 0
fi

# --- 2. stop the control plane and the members -----------------------------------------------------------
# What each Deployment and CronJob was is recorded in an annotation before it is changed, so that running the script
# again after a failure brings back the original replicas, not the zero it left.
replicas_note=karmada.io/replicas-before-etcd-restore
suspend_note=karmada.io/suspend-before-etcd-restore
deployments=()
while IFS='|' read -r name replicas recorded; do
  [ -n "${name}" ] || continue
  if [ -n "${recorded}" ]; then replicas="${recorded}"; else
    replicas="${replicas:-1}"
    k annotate deployment "${name}" "${replicas_note}=${replicas}" >/dev/null
  fi
  deployments+=("${name} ${replicas}")
done < <(k get deployments --selector "app.kubernetes.io/instance=${instance}" \
  --output 'jsonpath={range .items[*]}{.metadata.name}{"|"}{.spec.replicas}{"|"}{.metadata.annotations.karmada\.io/replicas-before-etcd-restore}{"\n"}{end}')
cronjobs=()
while IFS='|' read -r name suspended recorded; do
  [ -n "${name}" ] || continue
  if [ -n "${recorded}" ]; then suspended="${recorded}"; else
    suspended="${suspended:-false}"
    k annotate cronjob "${name}" "${suspend_note}=${suspended}" >/dev/null
  fi
  cronjobs+=("${name} ${suspended}")
  k patch cronjob "${name}" --type=merge --patch '{"spec":{"suspend":true}}' >/dev/null
done < <(k get cronjobs --selector "app.kubernetes.io/instance=${instance},app.kubernetes.io/component=etcd" \
  --output 'jsonpath={range .items[*]}{.metadata.name}{"|"}{.spec.suspend}{"|"}{.metadata.annotations.karmada\.io/suspend-before-etcd-restore}{"\n"}{end}')
say "the Deployments and their replicas (also in their annotation ${replicas_note}): ${deployments[*]:-none}"
for entry in "${deployments[@]+"${deployments[@]}"}"; do
  k scale deployment "${entry%% *}" --replicas=0 >/dev/null
done
# No apiserver may be connected when the members come back with the restored data.
control_plane_selector="app.kubernetes.io/instance=${instance},app.kubernetes.io/component=control-plane"
for _ in $(seq 1 "$(( seconds / 2 + 1 ))"); do
  running="$(k get pods --selector "${control_plane_selector}" --output name)"
  [ -z "${running}" ] && break
  sleep 2
done
[ -z "${running}" ] || die "control-plane pods still run after ${timeout}: ${running//$'\n'/ }"
for member in "${members[@]}"; do
  k scale statefulset "${member}" --replicas=0 >/dev/null
done
for member in "${members[@]}"; do
  k wait --for=delete "pod/${member}-0" --timeout="${timeout}" >/dev/null || die "member ${member} did not stop within ${timeout}"
done
say "control plane and members stopped"

# --- 3. restore each member's data directory ---------------------------------------------------------------
for member in "${members[@]}"; do
  k delete pod "${member}-restore" --ignore-not-found --wait=true >/dev/null
  restore_pod "${member}" | k apply --filename - >/dev/null
  phase=
  for _ in $(seq 1 "$(( seconds / 2 + 1 ))"); do
    phase="$(k get pod "${member}-restore" --output 'jsonpath={.status.phase}' 2>/dev/null || true)"
    [ "${phase}" = "Succeeded" ] || [ "${phase}" = "Failed" ] && break
    sleep 2
  done
  [ "${phase}" = "Succeeded" ] || die "the restore Pod of ${member} did not succeed (phase '${phase:-unknown}'): see kubectl --namespace ${namespace} logs ${member}-restore --all-containers; the members stay stopped"
  k logs "${member}-restore" --container swap 2>/dev/null | sed "s/^/restore-etcd: ${member}: /" || true
  k delete pod "${member}-restore" --wait=true >/dev/null
done

# --- 4. start the members, then the control plane -----------------------------------------------------------
for member in "${members[@]}"; do
  k scale statefulset "${member}" --replicas=1 >/dev/null
done
for member in "${members[@]}"; do
  # The pod object appears only after the StatefulSet controller has acted.
  for _ in $(seq 1 30); do k get pod "${member}-0" >/dev/null 2>&1 && break; sleep 2; done
  k wait --for=condition=Ready "pod/${member}-0" --timeout="${timeout}" >/dev/null \
    || die "member ${member} is not Ready after the restore: check its logs; the control plane stays stopped"
done
say "every member is Ready"
for entry in "${deployments[@]+"${deployments[@]}"}"; do
  k scale deployment "${entry%% *}" --replicas="${entry#* }" >/dev/null
  k annotate deployment "${entry%% *}" "${replicas_note}-" >/dev/null
done
for entry in "${cronjobs[@]+"${cronjobs[@]}"}"; do
  k patch cronjob "${entry%% *}" --type=merge --patch "{\"spec\":{\"suspend\":${entry#* }}}" >/dev/null
  k annotate cronjob "${entry%% *}" "${suspend_note}-" >/dev/null
done
say "restored ${snapshot}; the Deployments are scaling back up; the old data directories stay on the members' volumes as <data-dir>.before-restore-<time>"
