#!/usr/bin/env bash
# Write a kubeconfig for a person who administers the Karmada API, from the admin certificate cert-manager issued
# (Secret <instance>-admin-cert: CN karmada-admin, group karmada:cluster-admins, bound to cluster-admin by the
# bootstrap Job). The private key goes only into the file written here (mode 0600), never into synthesized YAML.
#
#   scripts/admin-kubeconfig.sh -s SERVER_URL [-n NAMESPACE] [-i INSTANCE] [-c SECRET] [-o FILE]
#     -s  the URL you reach karmada-apiserver at, e.g. https://karmada.example.com:5443 (it must be in the
#         apiserver certificate: the HA entry Service's names, apiServerService.externalDnsNames/externalIpAddresses)
#     -n  namespace of the installation in the host cluster   (default karmada-system)
#     -i  installation name (HATopology name)                  (default karmada)
#     -c  the client certificate Secret                        (default <instance>-admin-cert; e.g.
#         <instance>-bootstrap-client-cert, in system:masters, to apply KarmadaApiChart without the bootstrap Job)
#     -o  the kubeconfig file to write                         (default karmada-admin.kubeconfig)
# Uses the current kubectl context of the HOST cluster to read the Secret.
set -euo pipefail

namespace=karmada-system
instance=karmada
server=
secret=
output=karmada-admin.kubeconfig
while getopts "s:n:i:c:o:h" option; do
  case "${option}" in
    s) server="${OPTARG}" ;;
    n) namespace="${OPTARG}" ;;
    i) instance="${OPTARG}" ;;
    c) secret="${OPTARG}" ;;
    o) output="${OPTARG}" ;;
    *) sed -n '2,16p' "$0"; exit 2 ;;
  esac
done

die() { echo "admin-kubeconfig: $*" >&2; exit 1; }
[ -n "${server}" ] || die "give the apiserver URL with -s, e.g. -s https://karmada.example.com:5443"
case "${server}" in https://*) ;; *) die "-s ${server} is not an https URL" ;; esac

secret="${secret:-${instance}-admin-cert}"
field() {
  local value
  value="$(kubectl --namespace "${namespace}" get secret "${secret}" -o "jsonpath={.data.${1//./\\.}}")" \
    || die "cannot read Secret ${namespace}/${secret}: is cert-manager installed and the Certificate Ready? (kubectl -n ${namespace} get certificate ${secret})"
  [ -n "${value}" ] || die "Secret ${namespace}/${secret} has no ${1}"
  printf '%s' "${value}"
}
ca="$(field ca.crt)"
certificate="$(field tls.crt)"
key="$(field tls.key)"

umask 077
cat > "${output}" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: ${instance}
  cluster:
    server: ${server}
    certificate-authority-data: ${ca}
users:
- name: ${instance}-admin
  user:
    client-certificate-data: ${certificate}
    client-key-data: ${key}
contexts:
- name: ${instance}
  context:
    cluster: ${instance}
    user: ${instance}-admin
current-context: ${instance}
KUBECONFIG
echo "wrote ${output} (mode 0600) for ${server}: kubectl --kubeconfig ${output} get apiservices"
