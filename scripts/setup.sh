#!/usr/bin/env bash
# Installs what `make rehearse` and `make test` need and is missing, and says what it does.
# Idempotent and fast when everything is present (it runs no package manager then).
#
#   scripts/setup.sh [--dry-run] [rehearse|test]
#
#   rehearse  PostgreSQL + Redis (unless a Docker engine answers: the rehearsal then uses
#             testcontainers), the Firebase Auth emulator (npm firebase-tools, when npm exists)
#   test      the same, plus stripe-mock (go install) and Chromium (the HTML report test)
#   --dry-run print what would be installed, install nothing
#
# Without root (and no password-less sudo), or without apt-get, it prints the exact commands
# to run and exits 1. The make targets run it first; `.ci/run` installs nothing of its own.
set -euo pipefail

dry=0
mode=test
for a in "$@"; do
  case "$a" in
    --dry-run | -n) dry=1 ;;
    rehearse | test) mode=$a ;;
    -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup: unknown argument $a (want --dry-run, rehearse or test)" >&2; exit 2 ;;
  esac
done

say() { printf 'setup: %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }

# --- what is missing -----------------------------------------------------------------------
apt_pkgs=() # Debian packages
run_cmds=() # other install commands (go install, npm)
why=()      # one line per thing to install

have_pg() {
  have initdb && return 0
  local f
  for f in /usr/lib/postgresql/*/bin/initdb /usr/local/bin/initdb /usr/local/pgsql/bin/initdb; do
    [ -x "$f" ] && return 0
  done
  return 1
}

docker_answers() {
  # A Docker engine that answers within 5 s (testcontainers then provides Postgres and Redis).
  [ -n "${DOCKER_HOST:-}" ] || [ -S /var/run/docker.sock ] || return 1
  have docker && timeout 5 docker info >/dev/null 2>&1
}

if ! have_pg || ! have redis-server; then
  if [ -n "${HUSTLEXP_REHEARSAL_DATABASE_URL:-}" ] && [ -n "${HUSTLEXP_REHEARSAL_REDIS_URL:-}" ]; then
    say "PostgreSQL/Redis binaries missing; the rehearsal uses HUSTLEXP_REHEARSAL_DATABASE_URL/REDIS_URL"
  elif [ "${HUSTLEXP_REHEARSAL_PROVIDER:-}" != binaries ] && docker_answers; then
    say "PostgreSQL/Redis binaries missing; a Docker engine answers: the rehearsal uses testcontainers (official images)"
  else
    have_pg || { apt_pkgs+=(postgresql); why+=("PostgreSQL (apt postgresql): the rehearsal's database server"); }
    have redis-server || { apt_pkgs+=(redis-server); why+=("Redis (apt redis-server): the rehearsal's Redis"); }
  fi
fi

firebase_cli() {
  have firebase && return 0
  have node || return 1
  local r
  for r in /usr/lib/node_modules /usr/local/lib/node_modules "$HOME/.npm-global/lib/node_modules" "$HOME/node_modules"; do
    [ -f "$r/firebase-tools/lib/bin/firebase.js" ] && return 0
  done
  return 1
}
if [ "${HUSTLEXP_REHEARSAL_FIREBASE:-auto}" != fake ] && ! firebase_cli; then
  if have npm; then
    run_cmds+=("npm install -g --no-audit --no-fund firebase-tools@15")
    why+=("Firebase Auth emulator (npm firebase-tools)")
  else
    say "Firebase Auth emulator: node/npm not found, the rehearsal uses its in-process Identity Toolkit fake" \
      "(install nodejs and npm, then rerun this script, for the real emulator)"
  fi
fi

if [ "$mode" = test ]; then
  gobin="${GOBIN:-${GOPATH:-$HOME/go}/bin}"
  if ! have stripe-mock && [ ! -x "$gobin/stripe-mock" ] && [ ! -x "$HOME/go/bin/stripe-mock" ]; then
    run_cmds+=("GOFLAGS= go install github.com/stripe/stripe-mock@v0.203.0")
    why+=("stripe-mock (go install): Stripe request-shape validation in the self-tests")
  fi
  if [ -z "${HUSTLEXP_CHROMIUM:-}" ] && ! have chromium && ! have chromium-browser && ! have google-chrome; then
    apt_pkgs+=(chromium)
    why+=("Chromium (apt chromium): the test that opens the HTML report")
  fi
fi

if [ ${#apt_pkgs[@]} -eq 0 ] && [ ${#run_cmds[@]} -eq 0 ]; then
  [ "$dry" = 1 ] && say "nothing to install ($mode)"
  exit 0
fi

# --- how to install it ---------------------------------------------------------------------
sudo=""
can_install=1
if [ "$(id -u)" != 0 ]; then
  if have sudo && sudo -n true 2>/dev/null; then sudo="sudo"; else can_install=0; fi
fi
if [ ${#apt_pkgs[@]} -gt 0 ] && ! have apt-get; then can_install=0; fi

# Root runs the commands as they are; anyone else is told to prefix sudo.
pre=""
if [ "$(id -u)" != 0 ]; then pre="sudo "; fi
cmds=()
if [ ${#apt_pkgs[@]} -gt 0 ]; then
  cmds+=("${pre}apt-get update -q"
    "${pre}env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ${apt_pkgs[*]}")
fi
for c in "${run_cmds[@]}"; do
  case "$c" in npm*) cmds+=("$pre$c") ;; *) cmds+=("$c") ;; esac
done

say "missing for make $mode:"
for w in "${why[@]}"; do say "  - $w"; done
if [ "$dry" = 1 ] || [ "$can_install" = 0 ]; then
  if [ "$can_install" = 0 ]; then
    if [ ${#apt_pkgs[@]} -gt 0 ] && ! have apt-get; then
      say "no apt-get here: install the packages above with your system's package manager"
      say "(PostgreSQL >= 14 server binaries, redis-server, chromium), or run a Docker engine, then rerun."
    else
      say "cannot install (not root, no password-less sudo). Run:"
    fi
  else
    say "dry run; would run:"
  fi
  for c in "${cmds[@]}"; do printf '    %s\n' "$c"; done
  [ "$dry" = 1 ] && exit 0
  exit 1
fi

for c in "${cmds[@]}"; do
  say "running: $c"
  log=$(mktemp)
  if ! bash -c "$c" >"$log" 2>&1; then
    tail -20 "$log" >&2
    rm -f "$log"
    say "failed: $c"
    exit 1
  fi
  rm -f "$log"
done
# Debian's packages start their own services on the default ports; the rehearsal starts its
# own instances on free ports, so stop the ones this script just installed.
for p in "${apt_pkgs[@]}"; do
  case "$p" in
    postgresql) $sudo service postgresql stop >/dev/null 2>&1 || true ;;
    redis-server) $sudo service redis-server stop >/dev/null 2>&1 || true ;;
  esac
done
say "done"
