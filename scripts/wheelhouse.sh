# Sourced by scripts/package-binding.sh and scripts/test-bindings.sh: a Python wheelhouse that survives between runs.
# pip keeps no cache of what it downloads from the index CI reaches (nothing lands in its cache folder), so without
# this every run would download every wheel again.
#
#   CDK8S_KARMADA_WHEELHOUSE  the folder (default ~/.cache/cdk8s-karmada/wheels); an empty one measures a cold run
WHEELHOUSE="${CDK8S_KARMADA_WHEELHOUSE:-$HOME/.cache/cdk8s-karmada/wheels}"

# fill_wheelhouse PIP_ARGS...: downloads into the wheelhouse whatever installing PIP_ARGS (requirement specifiers,
# -r files, wheel files) needs and it does not hold yet; a no-op, without the index, when it holds everything.
fill_wheelhouse() {
  mkdir -p "${WHEELHOUSE}"
  if python3 -m pip install --dry-run --quiet --ignore-installed --no-index --find-links "${WHEELHOUSE}" "$@" >/dev/null 2>&1; then
    return 0
  fi
  echo "[wheelhouse] downloading into ${WHEELHOUSE}: $*" >&2
  python3 -m pip download --quiet --dest "${WHEELHOUSE}" "$@"
  # Wheel files given as arguments (the library's own, rebuilt every run) are copied too: they are not cached.
  local arg
  for arg in "$@"; do
    case "${arg}" in *.whl) rm -f "${WHEELHOUSE}/$(basename "${arg}")" ;; esac
  done
}
