#!/bin/bash
# Run a command with a PostgreSQL 15 of its own (Debian's postgresql-15) on 127.0.0.1, and always
# stop it and remove its data afterwards (also when the command fails or is interrupted):
#   tools/with-postgres.sh command args...
# The command gets FLEETPORTS_PG_URL (postgresql://fleetports@127.0.0.1:PORT/history?sslmode=disable)
# and PGPASSWORD (a random password made here) in its environment. As root the server runs as
# Debian's postgres user (postgres refuses root). Exits with the command's status.
set -euo pipefail
PGBIN=/usr/lib/postgresql/15/bin
[ $# -ge 1 ] || { echo "usage: $0 command args..." >&2; exit 2; }
[ -x "$PGBIN/pg_ctl" ] || { echo "with-postgres: PostgreSQL 15 is missing ($PGBIN): make setup" >&2; exit 2; }
DIR=$(mktemp -d /tmp/fp-pg.XXXXXX)
as_server=()
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$DIR"
  as_server=(runuser -u postgres --)
fi
child=
cleanup() {
  trap - EXIT INT TERM
  if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; fi
  "${as_server[@]}" env -C "$DIR" "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
export PGPASSWORD="fp-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
(umask 077 && printf '%s\n' "$PGPASSWORD" > "$DIR/pwfile")
[ "$(id -u)" = 0 ] && chown postgres "$DIR/pwfile"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${as_server[@]}" env -C "$DIR" "$PGBIN/initdb" -D "$DIR/data" -U fleetports --auth=scram-sha-256 --pwfile="$DIR/pwfile" -E UTF8 >/dev/null
printf "listen_addresses = '127.0.0.1'\nport = %s\nunix_socket_directories = '%s'\nmax_connections = 40\n" "$PORT" "$DIR" >> "$DIR/data/postgresql.conf"
"${as_server[@]}" env -C "$DIR" "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w start >/dev/null
"${as_server[@]}" env -C "$DIR" "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U fleetports history
export FLEETPORTS_PG_URL="postgresql://fleetports@127.0.0.1:$PORT/history?sslmode=disable"
"$@" &
child=$!
set +e
wait "$child"
status=$?
child=
exit "$status"
