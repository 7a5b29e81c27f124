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
objects="$(grep -c '^kind:' dist/karmada.k8s.yaml)"
statefulsets="$(grep -c '^kind: StatefulSet$' dist/karmada.k8s.yaml)"
echo "packaged library synthesized ${objects} objects (${statefulsets} etcd StatefulSets) from ${tarball##*/}"
[ "${objects}" -eq 22 ] && [ "${statefulsets}" -eq 3 ] || { echo "check-package: expected 22 objects and 3 StatefulSets" >&2; exit 1; }
