#!/usr/bin/env bash
# The API reference (the projen `docgen` task, after jsii): API.md holds this library's own constructs and types;
# the typed bindings of the cert-manager and Karmada CRDs, which are jsii submodules (src/index.ts), get one file
# each in docs/api/<submodule>.md, with the submodule's README (src/imports/<group>.README.md) at its top.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
docgen=node_modules/.bin/jsii-docgen
name="$(node -p 'require("./package.json").name')"
# The submodules and the first line of each README ("# `<name>`: typed bindings of ..."), from the jsii assembly.
submodules="$(node -e '
  const jsii = JSON.parse(require("fs").readFileSync(".jsii", "utf8"));
  for (const [fqn, sub] of Object.entries(jsii.submodules ?? {})) {
    const title = (sub.readme?.markdown ?? "").split("\n")[0].replace(/^# `[^`]*`: */, "");
    console.log(`${fqn.split(".").pop()}\t${title}`);
  }')"
rm -rf docs/api
mkdir -p docs/api
while IFS=$'\t' read -r submodule _; do
  "${docgen}" --submodule "${name}.${submodule}" --readme --output "docs/api/${submodule}.md"
done <<<"${submodules}"
"${docgen}" --submodule root --output docs/api/root.md
{
  sed -n "1p" docs/api/root.md
  echo
  echo "The constructs and types of \`${name}\`. The typed bindings of the cert-manager and Karmada CRDs are jsii"
  echo "submodules, imported as \`import { certmanager } from '${name}'\`, and documented apart, one file each:"
  echo
  echo "| submodule | what |"
  echo "| --- | --- |"
  while IFS=$'\t' read -r submodule title; do
    echo "| [\`${submodule}\`](./docs/api/${submodule}.md) | ${title} |"
  done <<<"${submodules}"
  sed "1d" docs/api/root.md
} > API.md
rm docs/api/root.md
