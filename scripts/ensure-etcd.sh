#!/usr/bin/env bash
# Makes the real binaries the tests run available, and writes their absolute paths into .etcd-test/:
#   - an etcd server for the real-etcd integration test (test/etcd-integration.test.ts): .etcd-test/etcd-bin
#   - busybox, the shell image's tool set, for the bootstrap Job's init script (test/bootstrap-job-busybox.test.ts):
#     .etcd-test/busybox-bin
#   - kubectl, which the bootstrap Job runs, to check the Job's kubectl arguments with a real kubectl
#     (test/bootstrap-job-kubectl.test.ts): .etcd-test/kubectl-bin
#   - etcdctl, which the etcd backup and defragmentation CronJobs run, for the backup/restore test
#     (test/etcd-backup-restore.test.ts): .etcd-test/etcdctl-bin
#   - openssl (and unshare), which the tests use, from the system's packages.
#
# Idempotent and non-interactive; meant for Debian 12 (bookworm) as root, with nothing but apt. When both binaries
# are already unpacked it touches no network.
#
# etcd, in order of preference:
#   1. etcd 3.5 from Debian 13 (trixie), fetched WITHOUT touching the system's apt configuration: a private
#      sources.list, list directory and cache under .etcd-test/apt-trixie/, signature checked against the
#      Debian archive keyring already on the machine (bookworm's debian-archive-keyring 2023.3+deb12u2 carries
#      the trixie signing keys). The .deb is unpacked with `dpkg -x` into .etcd-test/etcd-3.5/; nothing is
#      installed, no service exists. Never `trusted=yes`: if no keyring on the machine verifies trixie's
#      Release file, this step is skipped.
#   2. Fallback: bookworm's etcd-server (3.4.23) with `apt-get install`, with service start-up blocked by a
#      policy-rc.d that answers 101 (there is no systemd on these machines; deb-systemd-invoke does nothing).
#
# busybox (the package busybox-static: one self-contained binary, whatever the machine's glibc), in order of preference:
#   1. trixie's busybox 1.37, the version of the Job's image (docker.io/library/busybox:1.37.0), through the same
#      private apt state as etcd, unpacked with `dpkg -x` into .etcd-test/busybox-1.37/.
#   2. Fallback: bookworm's busybox 1.35, `apt-get download` from the system's sources, unpacked with `dpkg -x` into
#      .etcd-test/busybox-1.35/ (nothing installed either way).
#
# kubectl, in order of preference:
#   1. trixie's kubectl 1.32 (package kubectl), through the same private apt state, unpacked with `dpkg -x` into
#      .etcd-test/kubectl-trixie/.
#   2. Fallback: bookworm's kubectl 1.20 (package kubernetes-client), `apt-get download` from the system's sources,
#      unpacked the same way into .etcd-test/kubectl-bookworm/.
#
# etcdctl (Debian ships it in the package etcd-client, apart from etcd-server), in order of preference:
#   1. trixie's etcd-client 3.5, through the same private apt state, unpacked with `dpkg -x` into
#      .etcd-test/etcd-client-3.5/.
#   2. Fallback: bookworm's etcd-client 3.4, `apt-get download` from the system's sources, unpacked the same way into
#      .etcd-test/etcd-client-3.4/.
#
# Environment:
#   ETCD_TEST_SOURCE=bookworm      skip trixie for etcd (to exercise the 3.4 fallback)
#   BUSYBOX_TEST_SOURCE=bookworm   skip trixie for busybox (to exercise the 1.35 fallback)
#   KUBECTL_TEST_SOURCE=bookworm   skip trixie for kubectl (to exercise the 1.20 fallback)
#   ETCDCTL_TEST_SOURCE=bookworm   skip trixie for etcdctl (to exercise the 3.4 fallback)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="$ROOT/.etcd-test"
BIN_FILE="$STATE/etcd-bin"
TRIXIE_DIR="$STATE/apt-trixie"
TRIXIE_ETCD_ROOT="$STATE/etcd-3.5"
export DEBIAN_FRONTEND=noninteractive

log() { echo "[ensure-etcd] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

mkdir -p "$STATE"

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); else die "needs root (or sudo) for apt-get"; fi
fi

APT_UPDATED=0
system_apt_update() {
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get update (system sources)"
    "${SUDO[@]}" apt-get update -qq >&2
    APT_UPDATED=1
  fi
}

# apt_install PKG...: installs from the system's sources; runs apt-get update first if a package has no candidate.
apt_install() {
  local pkg need_update=0
  for pkg in "$@"; do
    if ! apt-cache policy "$pkg" 2>/dev/null | grep -q 'Candidate: [0-9]'; then need_update=1; fi
  done
  if [ "$need_update" -eq 1 ]; then system_apt_update; fi
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "$@" >&2
}

# etcd_version BIN: prints "3.5.16" or nothing.
etcd_version() {
  "$1" --version 2>/dev/null | sed -n 's/^etcd Version: \([0-9][0-9.]*\).*/\1/p' | head -n1
}

choose() {
  local bin="$1" version="$2" how="$3"
  printf '%s\n' "$bin" > "$BIN_FILE.tmp"
  mv "$BIN_FILE.tmp" "$BIN_FILE"
  log "chose etcd $version: $bin ($how)"
  log "wrote $BIN_FILE"
  echo "etcd-bin=$bin"
  echo "etcd-version=$version"
}

# --- tools the harness needs besides etcd ---------------------------------------------------------------
if ! command -v openssl >/dev/null 2>&1; then
  log "installing openssl"
  apt_install openssl
fi
command -v openssl >/dev/null 2>&1 || die "openssl is still missing"
if ! command -v unshare >/dev/null 2>&1; then
  log "installing util-linux (unshare) and mount"
  apt_install util-linux mount
fi
log "openssl: $(openssl version)"

# --- 1. etcd 3.5 from trixie, private apt state ----------------------------------------------------------

# The Debian mirror the system already uses for bookworm (deb822 or one-line format).
debian_mirror() {
  local uri=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    uri="$(awk '
      /^[[:space:]]*$/ { if (u != "" && s ~ /(^|[[:space:]])bookworm([[:space:]]|$)/) { print u; exit } u=""; s=""; next }
      /^URIs:/ { u=$2 }
      /^Suites:/ { s=$0 }
      END { if (u != "" && s ~ /(^|[[:space:]])bookworm([[:space:]]|$)/) print u }
    ' /etc/apt/sources.list.d/debian.sources | head -n1)"
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri="$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { if ($(i+1) == "bookworm") { print $i; exit } break } }' /etc/apt/sources.list)"
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

# trixie_apt_ready: sets TRIXIE_APT_OPTS to a private apt state for trixie whose Release file a keyring on this
# machine verifies, running `apt-get update` on it once per run of this script. Returns 1 when none verifies it.
TRIXIE_APT_OPTS=()
TRIXIE_STATE=unknown
trixie_apt_ready() {
  case "$TRIXIE_STATE" in
    ready) return 0 ;;
    unusable) return 1 ;;
  esac
  TRIXIE_STATE=unusable
  command -v dpkg >/dev/null 2>&1 || { log "no dpkg: cannot unpack trixie's packages"; return 1; }
  local mirror arch
  mirror="$(debian_mirror)"
  arch="$(dpkg --print-architecture)"
  mkdir -p "$TRIXIE_DIR/lists/partial" "$TRIXIE_DIR/cache/archives/partial" "$TRIXIE_DIR/debs"

  local keyring
  # Candidate keyrings, most general first. Each is tried on its own; apt rejects a Release file it cannot verify.
  for keyring in /usr/share/keyrings/debian-archive-keyring.gpg /usr/share/keyrings/debian-archive-trixie-automatic.gpg; do
    [ -f "$keyring" ] || continue
    printf 'deb [arch=%s signed-by=%s] %s trixie main\n' "$arch" "$keyring" "$mirror" > "$TRIXIE_DIR/sources.list"
    TRIXIE_APT_OPTS=(
      -o "Dir::Etc::SourceList=$TRIXIE_DIR/sources.list"
      -o "Dir::Etc::SourceParts=/dev/null"
      -o "Dir::Etc::Preferences=/dev/null"
      -o "Dir::Etc::PreferencesParts=/dev/null"
      -o "Dir::State::Lists=$TRIXIE_DIR/lists"
      -o "Dir::Cache=$TRIXIE_DIR/cache"
      -o "APT::Default-Release=trixie"
      -o "Acquire::Languages=none"
      -o "APT::Sandbox::User=root"
    )
    log "apt-get update (private state, $mirror trixie, signed-by $keyring)"
    local out rc=0
    out="$(apt-get "${TRIXIE_APT_OPTS[@]}" update 2>&1)" || rc=$?
    printf '%s\n' "$out" | sed 's/^/[ensure-etcd]   /' >&2
    if [ "$rc" -eq 0 ] && ! printf '%s\n' "$out" | grep -Eq 'NO_PUBKEY|GPG error|not signed|EXPKEYSIG|KEYEXPIRED|BADSIG' \
      && ls "$TRIXIE_DIR/lists/"*trixie_InRelease >/dev/null 2>&1; then
      TRIXIE_STATE=ready
      return 0
    fi
    log "trixie's Release file was not verified with $keyring"
  done
  log "no keyring on this machine verifies trixie's Release file: not using trixie (never trusted=yes)"
  return 1
}

# unpack_deb APT_OPTS_NAME PKG VERSION_PATTERN DEST DEBS_DIR: downloads PKG's candidate (whose version must match the
# shell pattern VERSION_PATTERN) into DEBS_DIR with the apt options in the array named APT_OPTS_NAME, and unpacks it
# with `dpkg -x` into DEST (replaced as a whole); nothing is installed. Prints the version it unpacked. apt checks the
# .deb's hash against the signed index.
unpack_deb() {
  local -n opts="$1"
  local pkg="$2" pattern="$3" dest="$4" debs="$5" candidate version
  candidate="$(apt-cache "${opts[@]}" policy "$pkg" | sed -n 's/^ *Candidate: //p')"
  # shellcheck disable=SC2053 # the pattern is a glob on purpose
  if [[ "$candidate" != $pattern ]]; then
    # The candidate may be a package this machine has installed from elsewhere: take the newest version the
    # configured sources offer that matches instead.
    candidate=""
    while read -r version; do
      # shellcheck disable=SC2053
      if [[ "$version" == $pattern ]]; then candidate="$version"; break; fi
    done < <(apt-cache "${opts[@]}" madison "$pkg" | awk -F'|' '{ gsub(/ /, "", $2); print $2 }')
    if [ -z "$candidate" ]; then
      log "no version of $pkg matches $pattern"
      return 1
    fi
  fi
  log "downloading $pkg $candidate (hash checked against the signed index)"
  mkdir -p "$debs"
  rm -f "$debs/${pkg}"_*.deb
  (cd "$debs" && apt-get "${opts[@]}" -qq download "$pkg=$candidate" >&2) || { log "apt-get download $pkg=$candidate failed"; return 1; }
  local deb
  deb="$(ls "$debs/${pkg}"_*.deb 2>/dev/null | head -n1)"
  [ -n "$deb" ] || { log "download produced no .deb"; return 1; }
  rm -rf "$dest.tmp"
  mkdir -p "$dest.tmp"
  dpkg -x "$deb" "$dest.tmp" || { log "dpkg -x $deb failed"; return 1; }
  rm -rf "$dest"
  mv "$dest.tmp" "$dest" || return 1
  echo "$candidate"
}

trixie_etcd() {
  local bin="$TRIXIE_ETCD_ROOT/usr/bin/etcd" version
  if [ -x "$bin" ]; then
    version="$(etcd_version "$bin")"
    if [[ "$version" == 3.5.* ]]; then
      choose "$bin" "$version" "already unpacked from trixie's etcd-server"
      return 0
    fi
  fi
  trixie_apt_ready || return 1
  local candidate
  candidate="$(unpack_deb TRIXIE_APT_OPTS etcd-server '3.5.*' "$TRIXIE_ETCD_ROOT" "$TRIXIE_DIR/debs")" || return 1
  version="$(etcd_version "$bin")"
  if [[ "$version" != 3.5.* ]]; then
    log "unpacked $bin does not run as etcd 3.5 (got '${version:-nothing}')"
    return 1
  fi
  choose "$bin" "$version" "unpacked (dpkg -x) from trixie's etcd-server $candidate, nothing installed"
}

# --- 2. fallback: bookworm's etcd-server 3.4 ------------------------------------------------------------
bookworm_etcd() {
  local bin=/usr/bin/etcd version
  version="$( [ -x "$bin" ] && etcd_version "$bin" || true)"
  if [ -z "$version" ]; then
    local created_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      # Keep the package's init script from starting an etcd service during the install.
      printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee /usr/sbin/policy-rc.d >/dev/null
      "${SUDO[@]}" chmod 755 /usr/sbin/policy-rc.d
      created_policy=1
    fi
    log "apt-get install etcd-server (bookworm), service start blocked by policy-rc.d"
    local rc=0
    apt_install etcd-server || rc=$?
    if [ "$created_policy" -eq 1 ]; then "${SUDO[@]}" rm -f /usr/sbin/policy-rc.d; fi
    [ "$rc" -eq 0 ] || die "apt-get install etcd-server failed"
    version="$(etcd_version "$bin")"
  fi
  [ -n "$version" ] || die "$bin does not run"
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    # A systemd host may have started the unit regardless: the test starts its own members.
    "${SUDO[@]}" systemctl disable --now etcd.service >/dev/null 2>&1 || true
  fi
  choose "$bin" "$version" "Debian bookworm etcd-server package"
}

ensure_etcd() {
  if [ "${ETCD_TEST_SOURCE:-}" != "bookworm" ]; then
    if trixie_etcd; then return 0; fi
    log "falling back to bookworm's etcd-server (3.4)"
  else
    log "ETCD_TEST_SOURCE=bookworm: skipping trixie"
  fi
  bookworm_etcd
}

# --- busybox ---------------------------------------------------------------------------------------------
BUSYBOX_BIN_FILE="$STATE/busybox-bin"

# busybox_version BIN: prints "1.37.0" or nothing.
busybox_version() {
  { "$1" --help 2>&1 || true; } | sed -n '1s/^BusyBox v\([0-9][0-9.]*\).*/\1/p'
}

# busybox_in ROOT: the busybox binary of a package unpacked into ROOT.
busybox_in() {
  local candidate
  for candidate in "$1/usr/bin/busybox" "$1/bin/busybox"; do
    if [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
  done
  return 1
}

choose_busybox() {
  local bin="$1" version="$2" how="$3"
  printf '%s\n' "$bin" > "$BUSYBOX_BIN_FILE.tmp"
  mv "$BUSYBOX_BIN_FILE.tmp" "$BUSYBOX_BIN_FILE"
  log "chose busybox $version: $bin ($how)"
  log "wrote $BUSYBOX_BIN_FILE"
  echo "busybox-bin=$bin"
  echo "busybox-version=$version"
}

# unpacked_busybox ROOT VERSION_PATTERN HOW: chooses the busybox already unpacked into ROOT if its version matches.
unpacked_busybox() {
  local bin version
  bin="$(busybox_in "$1")" || return 1
  version="$(busybox_version "$bin")"
  # shellcheck disable=SC2053 # the pattern is a glob on purpose
  [[ "$version" == $2 ]] || return 1
  choose_busybox "$bin" "$version" "$3"
}

# 1. trixie's busybox-static 1.37, the image's version.
trixie_busybox() {
  local root="$STATE/busybox-1.37" candidate
  if unpacked_busybox "$root" '1.37.*' "already unpacked from trixie's busybox-static"; then return 0; fi
  trixie_apt_ready || return 1
  candidate="$(unpack_deb TRIXIE_APT_OPTS busybox-static '1:1.37.*' "$root" "$TRIXIE_DIR/debs")" || return 1
  if unpacked_busybox "$root" '1.37.*' "unpacked (dpkg -x) from trixie's busybox-static $candidate, nothing installed"; then return 0; fi
  log "the busybox unpacked from trixie's busybox-static $candidate does not run as busybox 1.37"
  return 1
}

# 2. fallback: bookworm's busybox-static 1.35, from the system's sources.
bookworm_busybox() {
  local root="$STATE/busybox-1.35" candidate
  if unpacked_busybox "$root" '1.*' "already unpacked from bookworm's busybox-static"; then return 0; fi
  if ! apt-cache policy busybox-static 2>/dev/null | grep -q 'Candidate: [0-9]'; then system_apt_update; fi
  local -a system_opts=(-o "APT::Sandbox::User=root")
  candidate="$(unpack_deb system_opts busybox-static '1:1.*' "$root" "$STATE/apt-bookworm/debs")" \
    || die "could not download and unpack bookworm's busybox-static"
  unpacked_busybox "$root" '1.*' "unpacked (dpkg -x) from bookworm's busybox-static $candidate, nothing installed" \
    || die "the busybox unpacked from bookworm's busybox-static $candidate does not run"
}

ensure_busybox() {
  if [ "${BUSYBOX_TEST_SOURCE:-}" != "bookworm" ]; then
    if trixie_busybox; then return 0; fi
    log "falling back to bookworm's busybox-static (1.35)"
  else
    log "BUSYBOX_TEST_SOURCE=bookworm: skipping trixie"
  fi
  bookworm_busybox
}

# --- kubectl ---------------------------------------------------------------------------------------------
KUBECTL_BIN_FILE="$STATE/kubectl-bin"

# kubectl_version BIN: prints "v1.32.3" or nothing (kubectl 1.20 prints a Go struct, later ones a line).
kubectl_version() {
  { "$1" version --client 2>/dev/null || true; } | grep -o 'v1\.[0-9][0-9]*\.[0-9][0-9]*' | head -n1
}

# unpacked_kubectl ROOT HOW: chooses the kubectl unpacked into ROOT when it runs.
unpacked_kubectl() {
  local bin="$1/usr/bin/kubectl" version
  [ -x "$bin" ] || return 1
  version="$(kubectl_version "$bin")"
  [ -n "$version" ] || return 1
  printf '%s\n' "$bin" > "$KUBECTL_BIN_FILE.tmp"
  mv "$KUBECTL_BIN_FILE.tmp" "$KUBECTL_BIN_FILE"
  log "chose kubectl $version: $bin ($2)"
  echo "kubectl-bin=$bin"
  echo "kubectl-version=$version"
}

ensure_kubectl() {
  local root="$STATE/kubectl-trixie" candidate
  if [ "${KUBECTL_TEST_SOURCE:-}" != "bookworm" ] && unpacked_kubectl "$root" "already unpacked from trixie's kubectl"; then return 0; fi
  if [ "${KUBECTL_TEST_SOURCE:-}" != "bookworm" ] && trixie_apt_ready && candidate="$(unpack_deb TRIXIE_APT_OPTS kubectl '1.[0-9]*' "$root" "$TRIXIE_DIR/debs")" \
    && unpacked_kubectl "$root" "unpacked (dpkg -x) from trixie's kubectl $candidate, nothing installed"; then
    return 0
  fi
  log "falling back to bookworm's kubernetes-client"
  root="$STATE/kubectl-bookworm"
  if unpacked_kubectl "$root" "already unpacked from bookworm's kubernetes-client"; then return 0; fi
  if ! apt-cache policy kubernetes-client 2>/dev/null | grep -q 'Candidate: [0-9]'; then system_apt_update; fi
  local -a system_opts=(-o "APT::Sandbox::User=root")
  candidate="$(unpack_deb system_opts kubernetes-client '1.*' "$root" "$STATE/apt-bookworm/debs")" \
    || die "could not download and unpack bookworm's kubernetes-client"
  unpacked_kubectl "$root" "unpacked (dpkg -x) from bookworm's kubernetes-client $candidate, nothing installed" \
    || die "the kubectl unpacked from bookworm's kubernetes-client $candidate does not run"
}

# --- etcdctl ---------------------------------------------------------------------------------------------
ETCDCTL_BIN_FILE="$STATE/etcdctl-bin"

# etcdctl_version BIN: prints "3.5.16" or nothing.
etcdctl_version() {
  { ETCDCTL_API=3 "$1" version 2>/dev/null || true; } | sed -n 's/^etcdctl version: \([0-9][0-9.]*\).*/\1/p' | head -n1
}

# unpacked_etcdctl ROOT VERSION_PATTERN HOW: chooses the etcdctl unpacked into ROOT when its version matches.
unpacked_etcdctl() {
  local bin="$1/usr/bin/etcdctl" version
  [ -x "$bin" ] || return 1
  version="$(etcdctl_version "$bin")"
  # shellcheck disable=SC2053 # the pattern is a glob on purpose
  [[ -n "$version" && "$version" == $2 ]] || return 1
  printf '%s\n' "$bin" > "$ETCDCTL_BIN_FILE.tmp"
  mv "$ETCDCTL_BIN_FILE.tmp" "$ETCDCTL_BIN_FILE"
  log "chose etcdctl $version: $bin ($3)"
  echo "etcdctl-bin=$bin"
  echo "etcdctl-version=$version"
}

ensure_etcdctl() {
  local root="$STATE/etcd-client-3.5" candidate
  if [ "${ETCDCTL_TEST_SOURCE:-}" != "bookworm" ]; then
    if unpacked_etcdctl "$root" '3.5.*' "already unpacked from trixie's etcd-client"; then return 0; fi
    if trixie_apt_ready && candidate="$(unpack_deb TRIXIE_APT_OPTS etcd-client '3.5.*' "$root" "$TRIXIE_DIR/debs")" \
      && unpacked_etcdctl "$root" '3.5.*' "unpacked (dpkg -x) from trixie's etcd-client $candidate, nothing installed"; then
      return 0
    fi
    log "falling back to bookworm's etcd-client (3.4)"
  else
    log "ETCDCTL_TEST_SOURCE=bookworm: skipping trixie"
  fi
  root="$STATE/etcd-client-3.4"
  if unpacked_etcdctl "$root" '3.*' "already unpacked from bookworm's etcd-client"; then return 0; fi
  if ! apt-cache policy etcd-client 2>/dev/null | grep -q 'Candidate: [0-9]'; then system_apt_update; fi
  local -a system_opts=(-o "APT::Sandbox::User=root")
  candidate="$(unpack_deb system_opts etcd-client '3.*' "$root" "$STATE/apt-bookworm/debs")" \
    || die "could not download and unpack bookworm's etcd-client"
  unpacked_etcdctl "$root" '3.*' "unpacked (dpkg -x) from bookworm's etcd-client $candidate, nothing installed" \
    || die "the etcdctl unpacked from bookworm's etcd-client $candidate does not run"
}

ensure_etcd
ensure_busybox
ensure_kubectl
ensure_etcdctl
