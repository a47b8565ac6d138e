# A private PostgreSQL for tests and benchmarks: own data directory, own socket directory,
# 127.0.0.1 on a free port. Exports DATABASE_URL_TEST. initdb refuses to run as root,
# so the server runs as the `postgres` system user when we are root.
start_private_postgres() {
  local bin dir port runas=()
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bin" ]; then echo "postgres: no PostgreSQL server binaries found" >&2; return 1; fi
  dir=$(mktemp -d /tmp/margo-bridge-pg.XXXXXX)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; runas=(runuser -u postgres --); fi
  "${runas[@]}" "$bin/initdb" -D "$dir/data" -U margo --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1
  "${runas[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" start >/dev/null
  export MARGO_PG_DIR="$dir" MARGO_PG_BIN="$bin"
  export DATABASE_URL_TEST="postgres://margo@127.0.0.1:$port/postgres"
  echo "postgres: private server on 127.0.0.1:$port"
}

stop_private_postgres() {
  [ -n "${MARGO_PG_DIR:-}" ] || return 0
  local runas=()
  if [ "$(id -u)" = 0 ]; then runas=(runuser -u postgres --); fi
  "${runas[@]}" "$MARGO_PG_BIN/pg_ctl" -D "$MARGO_PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$MARGO_PG_DIR"
}
