#!/usr/bin/env bash
# Install the packed library (dist/js/*.tgz) into a throw-away cdk8s app, as a user would from npm, and synthesize
# a stacked HA control plane with it: proves the published JavaScript (not the TypeScript sources) works.
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
cat > main.js <<'JS'
const { App, Chart } = require('cdk8s');
const { HATopology, EtcdTopology } = require('cdk8s-karmada');
const app = new App({ outdir: 'dist' });
const chart = new Chart(app, 'karmada', { namespace: 'karmada-system' });
new HATopology(chart, 'karmada', { etcd: EtcdTopology.stacked() });
app.synth();
JS
node main.js
objects="$(grep -c '^kind:' dist/karmada.k8s.yaml)"
statefulsets="$(grep -c '^kind: StatefulSet$' dist/karmada.k8s.yaml)"
echo "packaged library synthesized ${objects} objects (${statefulsets} etcd StatefulSets) from ${tarball##*/}"
[ "${objects}" -eq 22 ] && [ "${statefulsets}" -eq 3 ] || { echo "check-package: expected 22 objects and 3 StatefulSets" >&2; exit 1; }
