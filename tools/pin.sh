#!/usr/bin/env bash
# Rewrites the wrapper modules' go.mod and go.sum (tools/<component>/) from the versions in tools/versions.env.
# Run it after changing a version there; commit what it writes. Nothing of the upstream sources is copied: each
# go.mod only requires the upstream module by version, adds the replace lines its own go.mod leaves to the builder
# (Kubernetes' staging modules, required at v0.0.0 there), and names the commands as tool lines.
set -euo pipefail
TOOLS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=/dev/null
. "$TOOLS/versions.env"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local

fresh() { # fresh DIR MODULE-PATH: an empty go.mod in DIR
  rm -f "$1/go.mod" "$1/go.sum"
  (cd "$1" && go mod init "$2" >/dev/null 2>&1)
}

pin_kubernetes() {
  local dir="$TOOLS/kubernetes" staging minor
  fresh "$dir" cdk8s-karmada.tools/kubernetes
  cd "$dir"
  go mod edit -require="k8s.io/kubernetes@$KUBERNETES_VERSION"
  # k8s.io/kubernetes requires each staging module at v0.0.0 and replaces it with a local folder; a module that
  # depends on it must name the published staging version instead: v0.<minor>.<patch> for v1.<minor>.<patch>.
  minor="v0.${KUBERNETES_VERSION#v1.}"
  staging="$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  for module in $(awk '$2 == "v0.0.0" && $1 ~ /^k8s\.io\// { print $1 }' "$staging"); do
    go mod edit -replace="$module=$module@$minor"
  done
  for command in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    go mod edit -tool="k8s.io/kubernetes/cmd/$command"
  done
  go mod tidy
}

pin_etcd() {
  local dir="$TOOLS/etcd"
  fresh "$dir" cdk8s-karmada.tools/etcd
  cd "$dir"
  for module in server etcdctl etcdutl; do
    go mod edit -require="go.etcd.io/etcd/$module/v3@$ETCD_VERSION" -tool="go.etcd.io/etcd/$module/v3"
  done
  go mod tidy
}

pin_kwok() {
  local dir="$TOOLS/kwok"
  fresh "$dir" cdk8s-karmada.tools/kwok
  cd "$dir"
  go mod edit -require="sigs.k8s.io/kwok@$KWOK_VERSION" -tool=sigs.k8s.io/kwok/cmd/kwok
  go mod tidy
}

pin_karmada() {
  # Karmada's go.mod has no replace directives; the wrapper only names the commands the library deploys.
  local dir="$TOOLS/karmada"
  fresh "$dir" cdk8s-karmada.tools/karmada
  cd "$dir"
  go mod edit -require="github.com/karmada-io/karmada@$KARMADA_VERSION"
  for command in aggregated-apiserver controller-manager scheduler webhook descheduler karmada-search metrics-adapter scheduler-estimator; do
    go mod edit -tool="github.com/karmada-io/karmada/cmd/$command"
  done
  go mod tidy
}

pin_cert_manager() {
  # The root module carries cmd/controller/app but no main package for it: cert-manager-controller/main.go (ours)
  # starts that command. cert-manager's go.mod replaces github.com/miekg/dns; a replace is not inherited, so the
  # wrapper repeats it.
  local dir="$TOOLS/cert-manager"
  rm -f "$dir/go.mod" "$dir/go.sum"
  (cd "$dir" && go mod init cdk8s-karmada.tools/cert-manager >/dev/null 2>&1)
  cd "$dir"
  go mod edit -require="github.com/cert-manager/cert-manager@$CERT_MANAGER_VERSION"
  go mod edit -replace=github.com/miekg/dns@v1.1.41=github.com/miekg/dns@v1.1.34
  go mod tidy
}

for component in "${@:-kubernetes etcd kwok karmada cert_manager}"; do
  for c in $component; do "pin_$c"; done
done
