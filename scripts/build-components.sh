#!/usr/bin/env bash
# Builds the real upstream programs that the tests run, from their Go modules at the versions in tools/versions.env
# (the wrapper modules tools/<component>/go.mod pin them; see tools/README.md), into a cache folder that survives
# between runs on one machine, links it as .real-components/bin, and prints each binary's own --version.
#
#   kubernetes: kube-apiserver, kube-controller-manager, kube-scheduler, kubectl   (k8s.io/kubernetes)
#   etcd:       etcd, etcdctl, etcdutl                                             (go.etcd.io/etcd/*/v3)
#   kwok:       kwok                                                               (sigs.k8s.io/kwok)
#   karmada:    karmada-aggregated-apiserver, -controller-manager, -scheduler, -webhook, -descheduler, -search,
#               -metrics-adapter, -scheduler-estimator                              (github.com/karmada-io/karmada)
#   cert-manager: cert-manager-controller                                           (github.com/cert-manager/cert-manager)
#
# Usage: scripts/build-components.sh [component...]   (default: all of them)
# Environment:
#   CDK8S_KARMADA_BIN_CACHE  where the binaries are kept (default ~/.cache/cdk8s-karmada/bin); a folder per
#                            component, named after its version and a hash of its go.sum, so a re-pin rebuilds
#   GOMODCACHE, GOCACHE      Go's own caches (defaults: Go's); point them at empty folders to measure a cold build
# Everything comes through the Go module proxy that `go env GOPROXY` names; nothing else is downloaded.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/tools"
# shellcheck source=/dev/null
. "$TOOLS/versions.env"
CACHE="${CDK8S_KARMADA_BIN_CACHE:-$HOME/.cache/cdk8s-karmada/bin}"
LINKS="$ROOT/.real-components/bin"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=readonly

log() { echo "[build-components] $*" >&2; }

# target_dir COMPONENT VERSION: the cache folder for this pin of the component
target_dir() {
  local sum
  # go.mod, go.sum and any Go file of ours in the wrapper (tools/cert-manager has a main package)
  sum="$(cat "$TOOLS/$1/go.mod" "$TOOLS/$1/go.sum" $(find "$TOOLS/$1" -name '*.go' | sort) | sha256sum | cut -c1-12)"
  echo "$CACHE/$1-$2-$sum"
}

# build COMPONENT VERSION LDFLAGS OUTPUT=PACKAGE...: builds each package into the component's cache folder unless
# that folder is complete already
build() {
  local component="$1" version="$2" ldflags="$3" dir start
  shift 3
  dir="$(target_dir "$component" "$version")"
  if [ -f "$dir/.complete" ]; then
    log "$component $version: cached in $dir"
  else
    log "$component $version: building into $dir"
    start=$(date +%s)
    rm -rf "$dir.partial" && mkdir -p "$dir.partial"
    local pair
    for pair in "$@"; do
      (cd "$TOOLS/$component" && go build -trimpath ${BUILD_TAGS:+-tags "$BUILD_TAGS"} -ldflags "-s -w $ldflags" -o "$dir.partial/${pair%%=*}" "${pair#*=}")
    done
    touch "$dir.partial/.complete"
    rm -rf "$dir" && mv "$dir.partial" "$dir"
    log "$component $version: built in $(( $(date +%s) - start )) s"
  fi
  mkdir -p "$LINKS"
  for pair in "$@"; do ln -sfn "$dir/${pair%%=*}" "$LINKS/${pair%%=*}"; done
}

build_kubernetes() {
  local v="$KUBERNETES_VERSION" minor="${KUBERNETES_VERSION#v1.}" date ldflags=""
  minor="${minor%%.*}"
  date="$(date -u -d @0 +%Y-%m-%dT%H:%M:%SZ)"
  # What Kubernetes' own build stamps (hack/lib/version.sh sets the same variables): --version and the version
  # the apiserver reports read them.
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$v -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
  done
  build kubernetes "$v" "$ldflags" \
    kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver \
    kube-controller-manager=k8s.io/kubernetes/cmd/kube-controller-manager \
    kube-scheduler=k8s.io/kubernetes/cmd/kube-scheduler \
    kubectl=k8s.io/kubernetes/cmd/kubectl
}

build_etcd() {
  # etcd's version is a constant of go.etcd.io/etcd/api/v3/version: nothing to stamp.
  build etcd "$ETCD_VERSION" "" \
    etcd=go.etcd.io/etcd/server/v3 etcdctl=go.etcd.io/etcd/etcdctl/v3 etcdutl=go.etcd.io/etcd/etcdutl/v3
}

build_kwok() {
  build kwok "$KWOK_VERSION" "" kwok=sigs.k8s.io/kwok/cmd/kwok
  # The kwok binary simulates nothing until it is given Stages. kwokctl hands it the ones its module ships
  # (kustomize/stage/...); the harness does the same, read from the module cache at the pinned version.
  local dir module
  dir="$(target_dir kwok "$KWOK_VERSION")"
  if [ ! -f "$dir/stages.yaml" ]; then
    module="$(cd "$TOOLS/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)"
    for stage in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease \
      pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
      echo "---"
      cat "$module/kustomize/stage/$stage.yaml"
    done > "$dir/stages.yaml.partial"
    mv "$dir/stages.yaml.partial" "$dir/stages.yaml"
  fi
  ln -sfn "$dir/stages.yaml" "$ROOT/.real-components/kwok-stages.yaml"
}

build_karmada() {
  # Karmada's own Makefile builds with this tag (k8s.io/apimachinery keeps its older protobuf messages one more
  # release under it) and stamps the version as below.
  BUILD_TAGS=kubernetes_protomessage_one_more_release build karmada "$KARMADA_VERSION" \
    "-X github.com/karmada-io/karmada/pkg/version.gitVersion=$KARMADA_VERSION" \
    karmada-aggregated-apiserver=github.com/karmada-io/karmada/cmd/aggregated-apiserver \
    karmada-controller-manager=github.com/karmada-io/karmada/cmd/controller-manager \
    karmada-scheduler=github.com/karmada-io/karmada/cmd/scheduler \
    karmada-webhook=github.com/karmada-io/karmada/cmd/webhook \
    karmada-descheduler=github.com/karmada-io/karmada/cmd/descheduler \
    karmada-search=github.com/karmada-io/karmada/cmd/karmada-search \
    karmada-metrics-adapter=github.com/karmada-io/karmada/cmd/metrics-adapter \
    karmada-scheduler-estimator=github.com/karmada-io/karmada/cmd/scheduler-estimator
}

build_cert_manager() {
  # cert-manager's controller (the real-Karmada tests issue the synthesized Certificates with it): the root module's
  # command, started by the main package of tools/cert-manager/cert-manager-controller/.
  build cert-manager "$CERT_MANAGER_VERSION" \
    "-X github.com/cert-manager/cert-manager/pkg/util.AppVersion=$CERT_MANAGER_VERSION" \
    cert-manager-controller=./cert-manager-controller
  # The CRDs the controller needs besides the three the library's objects use (../shared/vendor-data has those):
  # CertificateRequest, and ACME's Order and Challenge, which it watches. Read from the module at the pinned version;
  # their Helm label lines (templates) are dropped.
  local dir module
  dir="$(target_dir cert-manager "$CERT_MANAGER_VERSION")"
  if [ ! -f "$dir/crds.yaml" ]; then
    module="$(cd "$TOOLS/cert-manager" && go list -m -f '{{.Dir}}' github.com/cert-manager/cert-manager)"
    for crd in certificaterequests orders challenges; do
      echo "---"
      grep -v '{{' "$module/deploy/crds/crd-$crd.yaml"
    done > "$dir/crds.yaml.partial"
    mv "$dir/crds.yaml.partial" "$dir/crds.yaml"
  fi
  ln -sfn "$dir/crds.yaml" "$ROOT/.real-components/cert-manager-crds.yaml"
}

components=("$@")
[ ${#components[@]} -gt 0 ] || components=(kubernetes etcd kwok karmada cert-manager)
for component in "${components[@]}"; do "build_${component//-/_}"; done

# Each binary's own account of its version (the first line of what it prints).
for bin in "$LINKS"/*; do
  [ -x "$bin" ] || continue
  name="$(basename "$bin")"
  case "$name" in
    kubectl) version="$("$bin" version --client 2>&1 || true)" ;;
    etcdctl|etcdutl|karmada-*|cert-manager-controller) version="$("$bin" version 2>&1 || true)" ;;
    *) version="$("$bin" --version 2>&1 || true)" ;;
  esac
  echo "$name: ${version%%$'\n'*}"
done
