#!/usr/bin/env bash
# Roll the etcd members of a cdk8s-karmada installation one at a time, after `kubectl apply` changed their spec.
#
# Each member is its own StatefulSet with updateStrategy OnDelete, so applying new YAML restarts nothing: this script
# restarts every member whose pod runs an older revision than its StatefulSet, one at a time, and moves on only
# when the restarted member is Ready again (its /readyz needs a quorum). It refuses to start while any member is not
# Ready: restarting a member of a degraded cluster can cost the quorum.
#
#   scripts/roll-etcd-members.sh [-n NAMESPACE] [-i INSTANCE] [-t TIMEOUT]
#     -n  namespace of the installation        (default karmada-system)
#     -i  installation name (HATopology name)   (default karmada)
#     -t  how long to wait for each member      (default 300s)
set -euo pipefail

namespace=karmada-system
instance=karmada
timeout=300s
while getopts "n:i:t:h" option; do
  case "${option}" in
    n) namespace="${OPTARG}" ;;
    i) instance="${OPTARG}" ;;
    t) timeout="${OPTARG}" ;;
    *) sed -n '2,14p' "$0"; exit 2 ;;
  esac
done

die() { echo "roll-etcd-members: $*" >&2; exit 1; }
k() { kubectl --namespace "${namespace}" "$@"; }

selector="app.kubernetes.io/instance=${instance},app.kubernetes.io/name=etcd"
mapfile -t members < <(k get statefulsets --selector "${selector}" --output 'jsonpath={range .items[*]}{.metadata.name}{"\n"}{end}')
[ "${#members[@]}" -gt 0 ] || die "no etcd member of installation '${instance}' in namespace '${namespace}'"

for member in "${members[@]}"; do
  k wait --for=condition=Ready "pod/${member}-0" --timeout=10s >/dev/null \
    || die "member ${member} is not Ready: bring every member back before rolling, or the cluster may lose quorum"
done

for member in "${members[@]}"; do
  wanted="$(k get statefulset "${member}" --output 'jsonpath={.status.updateRevision}')"
  running="$(k get pod "${member}-0" --output 'jsonpath={.metadata.labels.controller-revision-hash}')"
  if [ "${wanted}" = "${running}" ]; then
    echo "${member}: up to date (${running})"
    continue
  fi
  echo "${member}: restarting ${running} -> ${wanted}"
  old_uid="$(k get pod "${member}-0" --output 'jsonpath={.metadata.uid}')"
  # Not --wait=true: the StatefulSet controller recreates the pod under the same name at once, and kubectl's wait for
  # the deletion can then find the new pod and wait for it to go away instead (seen with kubectl v1.35 when the old
  # pod is gone within milliseconds). Wait for a pod with a new uid at the wanted revision instead.
  k delete pod "${member}-0" --wait=false >/dev/null
  for _ in $(seq 1 60); do
    uid="$(k get pod "${member}-0" --output 'jsonpath={.metadata.uid}' 2>/dev/null || true)"
    running="$(k get pod "${member}-0" --output 'jsonpath={.metadata.labels.controller-revision-hash}' 2>/dev/null || true)"
    [ -n "${uid}" ] && [ "${uid}" != "${old_uid}" ] && [ "${running}" = "${wanted}" ] && break
    sleep 2
  done
  [ "${uid}" != "${old_uid}" ] && [ "${running}" = "${wanted}" ] || die "member ${member} was not recreated at revision ${wanted}"
  k wait --for=condition=Ready "pod/${member}-0" --timeout="${timeout}" >/dev/null \
    || die "member ${member} is not Ready after its restart: stopping here; check its logs before going on"
  echo "${member}: Ready at ${wanted}"
done
