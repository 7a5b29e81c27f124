#!/usr/bin/env bash
# Install the packed library (dist/js/*.tgz) into an empty folder as the README's "Use it in your app" says (its npm
# install lines, its cdk8s.yaml and tsconfig.json, the Usage example as main.ts, its `npx cdk8s synth`), with the
# tarball in place of the registry's package, and check what it synthesizes against the README's object counts; then
# run the README's "Composing without HATopology" example the same way. Proves the published package (not the
# TypeScript sources) works for a new user, and that the README's steps and examples are the ones that work.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readme="${repo}/README.md"
tarballs=("${repo}"/dist/js/*.tgz)
[ "${#tarballs[@]}" -eq 1 ] && [ -f "${tarballs[0]}" ] || { echo "check-package: expected one tarball in dist/js, found: ${tarballs[*]}" >&2; exit 1; }
tarball="${tarballs[0]}"
app="$(mktemp -d)"
trap 'rm -rf "${app}"' EXIT
fail() { echo "check-package: $*" >&2; exit 1; }

# The bodies of the ```<lang> blocks under the heading line $1, up to the next heading of level 3 or higher.
block() {
  awk -v heading="$1" -v lang="$2" '
    $0 == heading { inside = 1; next }
    inside && /^#+ / && length($1) <= length(level) { exit }
    inside && !fence && $0 == "```" lang { fence = 1; next }
    fence && /^```$/ { fence = 0; next }
    fence { print }
    BEGIN { level = "###" }' "${readme}"
}
section='## Use it in your app'
grep -qx "${section}" "${readme}" || fail "the README has no '${section}' section"

cd "${app}"
npm init -y >/dev/null
# The section's npm install lines, with the packed tarball for cdk8s-karmada.
installs="$(block "${section}" sh | grep '^npm install ')" || fail "no npm install lines in '${section}'"
grep -q ' cdk8s-karmada@' <<<"${installs}" || fail "'${section}' does not install cdk8s-karmada"
while read -r line; do
  # shellcheck disable=SC2086 # the README's words, split as a shell would
  set -- ${line}
  args=()
  for word in "${@:3}"; do
    case "${word}" in cdk8s-karmada@*) args+=("${tarball}") ;; *) args+=("${word}") ;; esac
  done
  echo "+ npm install ${args[*]}"
  npm install --no-audit --no-fund --loglevel=error "${args[@]}" >/dev/null
done <<<"${installs}"
block "${section}" yaml > cdk8s.yaml
block "${section}" json > tsconfig.json
grep -q '^app: ' cdk8s.yaml || fail "no cdk8s.yaml in '${section}'"
# The Usage example: the README's first ts block.
awk '/^```ts$/ { inside = 1; next } inside && /^```$/ { exit } inside { print }' "${readme}" > main.ts
grep -q "from 'cdk8s-karmada'" main.ts || fail "the README's first ts block does not import cdk8s-karmada"

# The first synth, as the section writes it (the CLI's version check may fail offline; the synth must not).
synth="$(block "${section}" sh | grep '^npx cdk8s synth' | head -1)"
[ -n "${synth}" ] || fail "no 'npx cdk8s synth' line in '${section}'"
echo "+ ${synth}"
start="$(date +%s%N)"
${synth} > synth.log 2>&1 || { cat synth.log >&2; fail "'${synth}' failed"; }
echo "  took $(( ($(date +%s%N) - start) / 1000000 )) ms"
grep -q 'Synthesizing application' synth.log || { cat synth.log >&2; fail "'${synth}' did not say 'Synthesizing application'"; }
[ -f dist/karmada.k8s.yaml ] || fail "'${synth}' wrote no dist/karmada.k8s.yaml: $(ls dist)"

count() { grep -c "^kind: $1\$" "${2:-dist/karmada.k8s.yaml}" || true; }
objects="$(grep -c '^kind:' dist/karmada.k8s.yaml)"
echo "packaged library synthesized ${objects} objects from ${tarball##*/}:" \
  "$(count StatefulSet) StatefulSets, $(count Deployment) Deployments, $(count Service) Services, $(count ConfigMap) ConfigMaps," \
  "$(count Issuer) Issuers, $(count Certificate) Certificates, $(count Job) Job, $(count CronJob) CronJobs," \
  "$(count NetworkPolicy) NetworkPolicies, $(count PodDisruptionBudget) PodDisruptionBudgets, $(count PersistentVolumeClaim) PersistentVolumeClaim"
# The README's own count ("That is 91 objects: ...") and each kind it names.
claimed="$(grep -o '^That is [0-9]* objects' "${readme}" | head -1 | grep -o '[0-9]*')"
[ "${objects}" = "${claimed}" ] || fail "the README says the Usage example is ${claimed} objects, it synthesized ${objects}"
[ "$(count Namespace)" -eq 1 ] && [ "$(count Deployment)" -eq 18 ] && [ "$(count StatefulSet)" -eq 3 ] \
  && [ "$(count Service)" -eq 10 ] && [ "$(count ConfigMap)" -eq 5 ] && [ "$(count Issuer)" -eq 4 ] \
  && [ "$(count Certificate)" -eq 25 ] && [ "$(count NetworkPolicy)" -eq 14 ] && [ "$(count PodDisruptionBudget)" -eq 7 ] \
  && [ "$(count Job)" -eq 1 ] && [ "$(count CronJob)" -eq 2 ] && [ "$(count PersistentVolumeClaim)" -eq 1 ] \
  || fail "expected what the README lists: the Namespace, 18 Deployments, 3 StatefulSets, 10 Services, 5 ConfigMaps, 4 Issuers, 25 Certificates, 14 NetworkPolicies, 7 PodDisruptionBudgets, 1 Job, 2 CronJobs, 1 PersistentVolumeClaim"

# Composing without HATopology: the section's ts block, run with the same tsconfig (type-checked by ts-node).
block '### Composing without `HATopology`' ts > compose.ts
grep -q "from 'cdk8s-karmada'" compose.ts || fail "the README's composition example does not import cdk8s-karmada"
rm -rf dist
echo "+ npx ts-node compose.ts"
npx ts-node compose.ts
composed=dist/karmada.k8s.yaml
echo "the composition example synthesized $(grep -c '^kind:' "${composed}") objects: $(count StatefulSet "${composed}") StatefulSets," \
  "$(count Deployment "${composed}") Deployments, $(count Service "${composed}") Services, $(count Job "${composed}") Job," \
  "$(count Issuer "${composed}") Issuers, $(count Certificate "${composed}") Certificates"
# 3 members and their Services, 3 nodes of 6 Deployments and an apiserver Service each, the 3 Services of the example,
# the Job and its 2 ConfigMaps plus the 3 nodes' kubeconfigs; 4 Issuers and 23 Certificates (no backup, no defrag).
[ "$(count StatefulSet "${composed}")" -eq 3 ] && [ "$(count Deployment "${composed}")" -eq 18 ] \
  && [ "$(count Service "${composed}")" -eq 9 ] && [ "$(count Job "${composed}")" -eq 1 ] \
  && [ "$(count Issuer "${composed}")" -eq 4 ] && [ "$(count Certificate "${composed}")" -eq 23 ] \
  || fail "the composition example: expected 3 StatefulSets, 18 Deployments, 9 Services, 1 Job, 4 Issuers, 23 Certificates"
