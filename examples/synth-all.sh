#!/usr/bin/env bash
# Synthesize every example (each folder of examples/ with a cdk8s.yaml) with the cdk8s CLI, as a user would:
# `npx cdk8s synth` inside the folder. Prints each YAML file written and how many objects it holds.
#
#   bash examples/synth-all.sh          # from anywhere in the repository
set -euo pipefail

examples_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(dirname "${examples_dir}")"

found=0
for cdk8s_yaml in "${examples_dir}"/*/cdk8s.yaml; do
  [[ -e "${cdk8s_yaml}" ]] || continue
  example="$(dirname "${cdk8s_yaml}")"
  name="$(basename "${example}")"
  found=$((found + 1))
  echo "==> ${name}"

  log="$(mktemp)"
  if ! (cd "${example}" && npx cdk8s synth --no-check-upgrade) >"${log}" 2>&1; then
    cat "${log}" >&2
    rm -f "${log}"
    echo "error: synthesis of examples/${name} failed" >&2
    exit 1
  fi
  # Library warnings (legal but unsafe choices) are worth seeing; npm's own chatter is not.
  grep -F '[cdk8s-karmada] warning' "${log}" >&2 || true
  rm -f "${log}"

  shopt -s nullglob
  manifests=("${example}"/dist/*.yaml)
  shopt -u nullglob
  if [[ ${#manifests[@]} -eq 0 ]]; then
    echo "error: examples/${name} wrote no YAML to dist/" >&2
    exit 1
  fi
  for manifest in "${manifests[@]}"; do
    # Every object starts with a top-level `kind:`; nested ones (e.g. inside a ConfigMap's data) are indented.
    objects="$(grep -c '^kind: ' "${manifest}" || true)"
    kinds="$(grep '^kind: ' "${manifest}" | sed 's/^kind: //' | sort | uniq -c | awk '{printf "%s%s %s", sep, $1, $2; sep=", "}')"
    echo "    ${manifest#"${repo_root}/"}: ${objects} objects (${kinds})"
  done
done

if [[ ${found} -eq 0 ]]; then
  echo "error: no example (a folder with a cdk8s.yaml) under ${examples_dir}" >&2
  exit 1
fi
echo "synthesized ${found} example(s)"
