#!/usr/bin/env bash
# The stacked example in every cdk8s language: synthesizes examples/stacked/{python,java,go} with `cdk8s synth`, as a
# user of each language would, against the packages jsii-pacmak wrote to dist/ (the wheel, the Maven repository, the
# Go module), and compares every YAML file each writes to its dist/ byte for byte with the TypeScript example's
# (examples/stacked/dist/, written by `npx projen synth-examples`). A missing, extra or different file fails, with
# a unified diff.
#
# Usage: scripts/test-bindings.sh [python|java|go ...]   (default: all three)
# Environment:
#   CDK8S_KARMADA_WHEELHOUSE  the Python wheelhouse (default ~/.cache/cdk8s-karmada/wheels; scripts/wheelhouse.sh)
#   CDK8S_KARMADA_MAVEN_REPO  the local Maven repository (default ~/.m2/repository)
#   GOMODCACHE, GOCACHE       Go's own caches (defaults: Go's)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EXAMPLE="${ROOT}/examples/stacked"
REFERENCE="${EXAMPLE}/dist"
MAVEN_REPO="${CDK8S_KARMADA_MAVEN_REPO:-$HOME/.m2/repository}"
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
# cdk8s synth is run from the repository's node_modules (cdk8s-cli is a devDependency).
export PATH="${ROOT}/node_modules/.bin:${PATH}"

languages=("$@")
[ "${#languages[@]}" -gt 0 ] || languages=(python java go)

fail() { echo "test-bindings: $*" >&2; exit 1; }

shopt -s nullglob
reference_files=("${REFERENCE}"/*.k8s.yaml)
shopt -u nullglob
[ "${#reference_files[@]}" -gt 0 ] || fail "no TypeScript reference in ${REFERENCE#"${ROOT}/"}: run 'npx projen synth-examples' first"

# Each language's environment, the way its README section installs it (docs/languages.md).
setup_python() {
  local wheels=("${ROOT}"/dist/python/*.whl)
  [ -f "${wheels[0]}" ] || fail "no wheel in dist/python: run 'npx projen package:python'"
  # shellcheck source=scripts/wheelhouse.sh
  . "${ROOT}/scripts/wheelhouse.sh"
  fill_wheelhouse -r requirements.txt "${wheels[@]}"
  rm -rf .venv
  python3 -m venv .venv
  .venv/bin/pip install --no-input --quiet --no-index --find-links "${WHEELHOUSE}" -r requirements.txt "${wheels[@]}"
  export PATH="${PWD}/.venv/bin:${PATH}" VIRTUAL_ENV="${PWD}/.venv"
}
setup_java() {
  [ -d "${ROOT}/dist/java/dev/cdk8s-karmada" ] || fail "no Maven artifact in dist/java: run 'npx projen package:java'"
  # Maven keeps what it resolved from dist/java in its local repository and would not look at a rebuilt artifact of
  # the same version again: forget the library's own (only).
  rm -rf "${MAVEN_REPO}/dev/cdk8s-karmada" target
  export MAVEN_OPTS="${MAVEN_OPTS:-} -Dmaven.repo.local=${MAVEN_REPO}"
}
setup_go() {
  [ -f "${ROOT}/dist/go/cdk8skarmada/go.mod" ] || fail "no Go module in dist/go: run 'npx projen package:go'"
  # go.sum is committed: a dependency it does not list fails instead of being added.
  export GOFLAGS="${GOFLAGS:-} -mod=readonly"
}

failed=()
for language in "${languages[@]}"; do
  [ -d "${EXAMPLE}/${language}" ] || fail "unknown language ${language} (no examples/stacked/${language})"
  start="${SECONDS}"
  log="$(mktemp)"
  if ! (
    set -euo pipefail
    cd "${EXAMPLE}/${language}"
    rm -rf dist
    "setup_${language}"
    cdk8s synth --no-check-upgrade
  ) >"${log}" 2>&1; then
    cat "${log}" >&2
    rm -f "${log}"
    echo "${language}: synthesis failed" >&2
    failed+=("${language}")
    continue
  fi
  rm -f "${log}"

  out="${EXAMPLE}/${language}/dist"
  mismatch=0
  if ! diff <(cd "${REFERENCE}" && ls -1 ./*.k8s.yaml) <(cd "${out}" && ls -1 ./*.k8s.yaml 2>/dev/null) >/dev/null; then
    echo "${language}: wrote other files than the TypeScript example (< typescript, > ${language}):" >&2
    diff <(cd "${REFERENCE}" && ls -1 ./*.k8s.yaml) <(cd "${out}" && ls -1 ./*.k8s.yaml 2>/dev/null) >&2 || true
    mismatch=1
  fi
  for reference in "${reference_files[@]}"; do
    file="$(basename "${reference}")"
    [ -f "${out}/${file}" ] || continue
    if ! cmp -s "${reference}" "${out}/${file}"; then
      echo "${language}: ${file} differs from the TypeScript example's (first 200 lines of the diff):" >&2
      diff -u --label "typescript/dist/${file}" --label "${language}/dist/${file}" "${reference}" "${out}/${file}" | head -200 >&2 || true
      mismatch=1
    fi
  done
  if [ "${mismatch}" -ne 0 ]; then
    failed+=("${language}")
    continue
  fi
  echo "${language}: ${#reference_files[@]} file(s) identical to the TypeScript example's, byte for byte ($(wc -c <"${out}/$(basename "${reference_files[0]}")") bytes; $((SECONDS - start)) s)"
done

[ "${#failed[@]}" -eq 0 ] || fail "${failed[*]}: output differs from the TypeScript example or failed"
echo "test-bindings: ${languages[*]}: the stacked example's YAML is byte for byte the TypeScript example's"
