#!/usr/bin/env bash
# Makes the tools the tests run that are no Go module available (etcd, etcdctl, etcdutl and kubectl are built from
# their Go modules at the images' versions by scripts/build-components.sh instead):
#   - busybox, the shell image's tool set, for the bootstrap Job's init script (test/bootstrap-job-busybox.test.ts)
#     and the etcd backup CronJob's rotation and the restore Pods' scripts (test/etcd-backup-restore.test.ts): its
#     absolute path is written into .etcd-test/busybox-bin;
#   - openssl (the tests issue the synthesized certificates with it) and unshare (each real etcd member runs in a
#     private mount namespace with its own /etc/hosts), from the system's packages, installed when missing.
#
# Idempotent and non-interactive; meant for Debian 12 (bookworm) as root, with nothing but apt. When busybox is
# already unpacked and openssl and unshare are present, it touches no network.
#
# busybox (the package busybox-static: one self-contained binary, whatever the machine's glibc), in order of preference:
#   1. trixie's busybox 1.37, the version of the Job's image (docker.io/library/busybox:1.37.0), fetched WITHOUT
#      touching the system's apt configuration: a private sources.list, list directory and cache under
#      .etcd-test/apt-trixie/, signature checked against the Debian archive keyring already on the machine
#      (bookworm's debian-archive-keyring 2023.3+deb12u2 carries the trixie signing keys). The .deb is unpacked with
#      `dpkg -x` into .etcd-test/busybox-1.37/; nothing is installed. Never `trusted=yes`: if no keyring on the
#      machine verifies trixie's Release file, this step is skipped.
#   2. Fallback: bookworm's busybox 1.35, `apt-get download` from the system's sources, unpacked with `dpkg -x` into
#      .etcd-test/busybox-1.35/ (nothing installed either way).
#
# Environment:
#   BUSYBOX_TEST_SOURCE=bookworm   skip trixie for busybox (to exercise the 1.35 fallback)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="$ROOT/.etcd-test"
TRIXIE_DIR="$STATE/apt-trixie"
export DEBIAN_FRONTEND=noninteractive

log() { echo "[ensure-debian-tools] $*" >&2; }
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

# --- openssl and unshare ---------------------------------------------------------------------------------
if ! command -v openssl >/dev/null 2>&1; then
  log "installing openssl"
  apt_install openssl
fi
command -v openssl >/dev/null 2>&1 || die "openssl is still missing"
if ! command -v unshare >/dev/null 2>&1; then
  log "installing util-linux (unshare) and mount"
  apt_install util-linux mount
fi
command -v unshare >/dev/null 2>&1 || die "unshare is still missing"
log "openssl: $(openssl version); unshare: $(command -v unshare)"

# --- trixie, private apt state ---------------------------------------------------------------------------

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
    printf '%s\n' "$out" | sed 's/^/[ensure-debian-tools]   /' >&2
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

ensure_busybox
