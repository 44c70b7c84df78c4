#!/usr/bin/env bash
# The services the test suite needs, answering before `npm test` starts:
#   PostgreSQL on 127.0.0.1:5432 — the PostgreSQL adapter's tests (database `test`, user postgres,
#     no password: test/support/pg.ts), and
#   NATS with JetStream on 127.0.0.1:4222 — the bus and presence adapters' tests.
# Each one that does not answer is started (installed first from Debian's packages when missing)
# and waited for, up to 30 s. One that still does not answer fails this script, loudly: those tests
# are never skipped, so the suite must not start without them. Developers can run it too:
#   bash .ci/services.sh
# It never stops or reconfigures a server that is already there (other suites may be using it),
# except that a PostgreSQL it has just installed gets the passwordless local login the tests use.
#
# Overrides (defaults as above): FOOTFALL_PG_PORT, FOOTFALL_PG_CLUSTER (main), FOOTFALL_NATS_PORT,
# FOOTFALL_NATS_STORE (/var/lib/nats-server), FOOTFALL_SERVICES_WAIT (seconds, 30).
set -euo pipefail

PG_PORT=${FOOTFALL_PG_PORT:-5432}
PG_CLUSTER=${FOOTFALL_PG_CLUSTER:-main}
PG_TEST_URL="postgres://postgres@127.0.0.1:${PG_PORT}/test"
NATS_PORT=${FOOTFALL_NATS_PORT:-4222}
NATS_STORE=${FOOTFALL_NATS_STORE:-/var/lib/nats-server}
WAIT_S=${FOOTFALL_SERVICES_WAIT:-30}

say() { echo "services: $*"; }
die() {
  echo "services: FAILED: $*" >&2
  echo "services: the test suite needs PostgreSQL on 127.0.0.1:${PG_PORT} and NATS (JetStream) on 127.0.0.1:${NATS_PORT}; it does not run without them." >&2
  exit 1
}

SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" = 0 ]; then
    $SUDO apt-get update
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "$@"
}

# Runs a command as the postgres OS user (the local socket's peer login), whoever runs this script.
as_postgres() {
  if [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  elif [ -n "$SUDO" ]; then
    sudo -u postgres -- "$@"
  else
    "$@"
  fi
}

# Runs the check given as arguments once a second until it succeeds, for WAIT_S seconds.
wait_for() {
  local i
  for ((i = 0; i < WAIT_S; i++)); do
    if "$@"; then return 0; fi
    sleep 1
  done
  "$@"
}

pg_answers() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; }

# NATS greets every client with an INFO line; bash's /dev/tcp because nc is not installed.
nats_info() { timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/${NATS_PORT} && head -n 1 <&3" 2>/dev/null; }
nats_answers() { nats_info | grep -q '^INFO '; }

ensure_postgres() {
  local installed=0 version
  if pg_answers; then
    say "PostgreSQL answers on 127.0.0.1:${PG_PORT}"
  else
    if ! ls -d /etc/postgresql/*/"$PG_CLUSTER" >/dev/null 2>&1; then
      say "PostgreSQL is not installed: installing Debian's postgresql"
      apt_install postgresql
      installed=1
    fi
    ls -d /etc/postgresql/*/"$PG_CLUSTER" >/dev/null 2>&1 || die "no PostgreSQL cluster '${PG_CLUSTER}' under /etc/postgresql after installing"
    version=$(ls -d /etc/postgresql/*/"$PG_CLUSTER" | sort -V | tail -n 1 | cut -d / -f 4)
    if [ "$installed" = 1 ]; then
      # A cluster this script just created: the tests log in as postgres over TCP without a password.
      local hba="/etc/postgresql/${version}/${PG_CLUSTER}/pg_hba.conf"
      say "allowing the passwordless test login (postgres from 127.0.0.1) in ${hba}"
      $SUDO sed -i '1i host all postgres 127.0.0.1/32 trust' "$hba"
    fi
    say "PostgreSQL does not answer on 127.0.0.1:${PG_PORT}: starting cluster ${version}/${PG_CLUSTER}"
    # "already running" (exit 2) is fine here: the wait below says whether it answers.
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" "$PG_CLUSTER" start || say "pg_ctlcluster exited with $? (continuing: waiting for an answer)"
    if ! wait_for pg_answers; then
      $SUDO tail -n 20 "/var/log/postgresql/postgresql-${version}-${PG_CLUSTER}.log" >&2 2>/dev/null || true
      die "PostgreSQL did not answer on 127.0.0.1:${PG_PORT} within ${WAIT_S} s (pg_isready -h 127.0.0.1 -p ${PG_PORT}); is listen_addresses/port set so?"
    fi
    # The package may have started the cluster itself, before the login rule was added.
    if [ "$installed" = 1 ]; then $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" "$PG_CLUSTER" reload; fi
    say "PostgreSQL answers on 127.0.0.1:${PG_PORT}"
  fi

  # The tests' database: created when missing (over the local socket, as postgres).
  local out
  if ! out=$(PGCONNECT_TIMEOUT=5 psql -w "$PG_TEST_URL" -Atqc 'select 1' 2>&1); then
    if grep -q 'does not exist' <<<"$out"; then
      say "creating the test database (test)"
      as_postgres createdb -p "$PG_PORT" test || die "could not create the database 'test' on port ${PG_PORT}"
      out=$(PGCONNECT_TIMEOUT=5 psql -w "$PG_TEST_URL" -Atqc 'select 1' 2>&1) || die "cannot log in to ${PG_TEST_URL}: ${out}"
    else
      die "cannot log in to ${PG_TEST_URL}: ${out}
  The tests log in as postgres from 127.0.0.1 without a password: add 'host all postgres 127.0.0.1/32 trust'
  at the top of pg_hba.conf (a test machine only) and reload, or set FOOTFALL_TEST_PG_URL for the tests."
    fi
  fi
  say "PostgreSQL test database ready (${PG_TEST_URL})"
}

ensure_nats() {
  if nats_answers; then
    say "NATS answers on 127.0.0.1:${NATS_PORT}"
  else
    if [ ! -x /usr/sbin/nats-server ]; then
      say "nats-server is not installed: installing Debian's nats-server"
      apt_install nats-server
    fi
    [ -x /usr/sbin/nats-server ] || die "/usr/sbin/nats-server is missing after installing nats-server"
    $SUDO mkdir -p "$NATS_STORE"
    local pidfile="/tmp/footfall-nats-${NATS_PORT}.pid" log="/tmp/footfall-nats-${NATS_PORT}.log"
    say "NATS does not answer on 127.0.0.1:${NATS_PORT}: starting nats-server (JetStream in ${NATS_STORE}, log ${log})"
    # A pidfile of our own: without it start-stop-daemon would take any nats-server process (the
    # private ones some tests start on other ports) for this one and start nothing.
    $SUDO start-stop-daemon --start --oknodo --background --make-pidfile --pidfile "$pidfile" --exec /usr/sbin/nats-server -- \
      -a 127.0.0.1 -p "$NATS_PORT" -js -sd "$NATS_STORE" -l "$log"
    if ! wait_for nats_answers; then
      tail -n 20 "$log" >&2 2>/dev/null || true
      die "NATS did not answer on 127.0.0.1:${NATS_PORT} within ${WAIT_S} s"
    fi
    say "NATS answers on 127.0.0.1:${NATS_PORT}"
  fi
  # A NATS without JetStream answers too, but the bus and presence adapters need it.
  nats_info | grep -q '"jetstream":true' || die "the NATS server on 127.0.0.1:${NATS_PORT} runs without JetStream (start it with -js)"
  say "NATS JetStream enabled"
}

ensure_postgres
ensure_nats
