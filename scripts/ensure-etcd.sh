#!/usr/bin/env bash
# Makes an etcd server binary (and openssl) available to the real-etcd integration test
# (test/etcd-integration.test.ts) and writes the binary's absolute path to .etcd-test/etcd-bin.
#
# Idempotent and non-interactive; meant for Debian 12 (bookworm) as root, with nothing but apt.
#
# Order of preference:
#   1. etcd 3.5 from Debian 13 (trixie), fetched WITHOUT touching the system's apt configuration: a private
#      sources.list, list directory and cache under .etcd-test/apt-trixie/, signature checked against the
#      Debian archive keyring already on the machine (bookworm's debian-archive-keyring 2023.3+deb12u2 carries
#      the trixie signing keys). The .deb is unpacked with `dpkg -x` into .etcd-test/etcd-3.5/; nothing is
#      installed, no service exists. Never `trusted=yes`: if no keyring on the machine verifies trixie's
#      Release file, this step is skipped.
#   2. Fallback: bookworm's etcd-server (3.4.23) with `apt-get install`, with service start-up blocked by a
#      policy-rc.d that answers 101 (there is no systemd on these machines; deb-systemd-invoke does nothing).
#
# Environment:
#   ETCD_TEST_SOURCE=bookworm   skip step 1 (to exercise the 3.4 fallback)
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

trixie_etcd() {
  local bin="$TRIXIE_ETCD_ROOT/usr/bin/etcd" version
  if [ -x "$bin" ]; then
    version="$(etcd_version "$bin")"
    if [[ "$version" == 3.5.* ]]; then
      choose "$bin" "$version" "already unpacked from trixie's etcd-server"
      return 0
    fi
  fi

  command -v dpkg >/dev/null 2>&1 || { log "no dpkg: cannot unpack trixie's etcd-server"; return 1; }
  local mirror arch
  mirror="$(debian_mirror)"
  arch="$(dpkg --print-architecture)"
  mkdir -p "$TRIXIE_DIR/lists/partial" "$TRIXIE_DIR/cache/archives/partial" "$TRIXIE_DIR/debs"

  local keyring verified=0
  local -a apt_opts
  # Candidate keyrings, most general first. Each is tried on its own; apt rejects a Release file it cannot verify.
  for keyring in /usr/share/keyrings/debian-archive-keyring.gpg /usr/share/keyrings/debian-archive-trixie-automatic.gpg; do
    [ -f "$keyring" ] || continue
    printf 'deb [arch=%s signed-by=%s] %s trixie main\n' "$arch" "$keyring" "$mirror" > "$TRIXIE_DIR/sources.list"
    apt_opts=(
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
    out="$(apt-get "${apt_opts[@]}" update 2>&1)" || rc=$?
    printf '%s\n' "$out" | sed 's/^/[ensure-etcd]   /' >&2
    if [ "$rc" -eq 0 ] && ! printf '%s\n' "$out" | grep -Eq 'NO_PUBKEY|GPG error|not signed|EXPKEYSIG|KEYEXPIRED|BADSIG' \
      && ls "$TRIXIE_DIR/lists/"*trixie_InRelease >/dev/null 2>&1; then
      verified=1
      break
    fi
    log "trixie's Release file was not verified with $keyring"
  done
  if [ "$verified" -ne 1 ]; then
    log "no keyring on this machine verifies trixie's Release file: not using trixie (never trusted=yes)"
    return 1
  fi

  local candidate
  candidate="$(apt-cache "${apt_opts[@]}" policy etcd-server | sed -n 's/^ *Candidate: //p')"
  if [[ "$candidate" != 3.5.* ]]; then
    log "trixie's etcd-server candidate is '${candidate:-none}', not 3.5.x"
    return 1
  fi
  log "downloading etcd-server $candidate from trixie (hash checked against the signed index)"
  rm -f "$TRIXIE_DIR/debs/"etcd-server_*.deb
  (cd "$TRIXIE_DIR/debs" && apt-get "${apt_opts[@]}" -qq download "etcd-server=$candidate" >&2)
  local deb
  deb="$(ls "$TRIXIE_DIR/debs/"etcd-server_*.deb | head -n1)"
  [ -n "$deb" ] || { log "download produced no .deb"; return 1; }

  rm -rf "$TRIXIE_ETCD_ROOT.tmp"
  mkdir -p "$TRIXIE_ETCD_ROOT.tmp"
  dpkg -x "$deb" "$TRIXIE_ETCD_ROOT.tmp"
  rm -rf "$TRIXIE_ETCD_ROOT"
  mv "$TRIXIE_ETCD_ROOT.tmp" "$TRIXIE_ETCD_ROOT"
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

if [ "${ETCD_TEST_SOURCE:-}" != "bookworm" ]; then
  if trixie_etcd; then exit 0; fi
  log "falling back to bookworm's etcd-server (3.4)"
else
  log "ETCD_TEST_SOURCE=bookworm: skipping trixie"
fi
bookworm_etcd
