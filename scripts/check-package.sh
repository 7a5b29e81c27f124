#!/usr/bin/env bash
# Install the packed library (dist/js/*.tgz) into a throw-away cdk8s app, as a user would from npm, and run the
# README's usage example in it, type-checked against the published typings: proves the published package (not the
# TypeScript sources) works, and that the README's example compiles and synthesizes what it says.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tarball="$(ls "${repo}"/dist/js/*.tgz)"
app="$(mktemp -d)"
trap 'rm -rf "${app}"' EXIT
versions="$(cd "${repo}" && node -p 'const d = require("./package.json").devDependencies; [d.cdk8s, d["cdk8s-plus-28"], d.constructs].join(" ")')"
read -r cdk8s_version plus_version constructs_version <<<"${versions}"

cd "${app}"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error "${tarball}" "cdk8s@${cdk8s_version}" "cdk8s-plus-28@${plus_version}" "constructs@${constructs_version}" >/dev/null
# The first ```ts block of the README is the usage example.
awk '/^```ts$/ { inside = 1; next } inside && /^```$/ { exit } inside { print }' "${repo}/README.md" > main.ts
grep -q "from 'cdk8s-karmada'" main.ts || { echo "check-package: the README's first ts block does not import cdk8s-karmada" >&2; exit 1; }
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "module": "commonjs", "moduleResolution": "node10", "target": "ES2022", "strict": true,
  "esModuleInterop": true, "skipLibCheck": true, "ignoreDeprecations": "6.0", "types": [] } }
JSON
"${repo}/node_modules/.bin/ts-node" --project tsconfig.json main.ts
count() { grep -c "^kind: $1\$" dist/karmada.k8s.yaml || true; }
objects="$(grep -c '^kind:' dist/karmada.k8s.yaml)"
echo "packaged library synthesized ${objects} objects from ${tarball##*/}:" \
  "$(count StatefulSet) StatefulSets, $(count Deployment) Deployments, $(count Certificate) Certificates, $(count Job) Job," \
  "$(count CronJob) CronJobs, $(count NetworkPolicy) NetworkPolicies, $(count PodDisruptionBudget) PodDisruptionBudgets"
# Stacked, 3 nodes: 3 etcd members, 6 components per node, 25 certificates, the bootstrap Job, the backup and
# defragmentation CronJobs, 14 NetworkPolicies, 7 PodDisruptionBudgets, the Namespace; 91 objects in all.
[ "${objects}" -eq 91 ] && [ "$(count StatefulSet)" -eq 3 ] && [ "$(count Deployment)" -eq 18 ] \
  && [ "$(count Certificate)" -eq 25 ] && [ "$(count Job)" -eq 1 ] && [ "$(count CronJob)" -eq 2 ] \
  && [ "$(count NetworkPolicy)" -eq 14 ] && [ "$(count PodDisruptionBudget)" -eq 7 ] \
  || { echo "check-package: expected 91 objects: the Namespace, 3 StatefulSets, 18 Deployments, 25 Certificates, 1 Job, 2 CronJobs, 14 NetworkPolicies, 7 PodDisruptionBudgets" >&2; exit 1; }
