#!/usr/bin/env bash
# A local kartiba cluster on one machine, for trying and testing (docs/CLUSTER.md):
#   etcd (one member)  ·  PostgreSQL primary + synchronous standby under Patroni
#   three kartiba-server nodes (--cluster, both database hosts, target_session_attrs=read-write)
#   HAProxy in front: :8080 spreads HTTP and WebSocket clients over the nodes (leastconn),
#                     :5000 is the current primary (Patroni's REST check), for psql.
#
# Usage: tools/cluster/cluster.sh up|down|status
# Everything lives in $KARTIBA_CLUSTER_DIR (default /tmp/kartiba-cluster) and listens on 127.0.0.1.
# Needs tools/setup-deps.sh --cluster and a built kartiba-server ($KARTIBA_SERVER or build/).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${KARTIBA_CLUSTER_DIR:-/tmp/kartiba-cluster}
server=${KARTIBA_SERVER:-$root/build/server/kartiba-server}
pgbin=$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)
admin_token=${KARTIBA_ADMIN_TOKEN:-cluster-admin-token-change-me}
conninfo="host=127.0.0.1,127.0.0.1 port=5441,5442 user=postgres dbname=postgres target_session_attrs=read-write connect_timeout=3"

say() { echo "cluster: $*" >&2; }

# Waits until `cmd` succeeds (a condition, checked every 0.2 s), at most $1 seconds.
wait_until() {
  local seconds=$1; shift
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { say "timed out waiting for: $*"; return 1; }
    sleep 0.2
  done
}

start_bg() {  # name, command…: runs in the background, output to $dir/name.log, pid to $dir/name.pid
  local name=$1; shift
  "$@" >"$dir/$name.log" 2>&1 &
  echo $! >"$dir/$name.pid"
}

patroni_config() {  # name, pg port, rest port
  local name=$1 port=$2 rest=$3
  cat <<YAML
scope: kartiba
name: $name
restapi:
  listen: 127.0.0.1:$rest
  connect_address: 127.0.0.1:$rest
etcd3:
  hosts: 127.0.0.1:2379
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 2
    retry_timeout: 5
    maximum_lag_on_failover: 0
    synchronous_mode: true
    synchronous_mode_strict: true
    postgresql:
      use_pg_rewind: true
      parameters:
        synchronous_commit: "on"
        wal_level: replica
        hot_standby: "on"
        max_wal_senders: 5
        max_replication_slots: 5
        wal_log_hints: "on"
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
  pg_hba:
    - host replication replicator 127.0.0.1/32 trust
    - host all all 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:$port
  connect_address: 127.0.0.1:$port
  data_dir: $dir/$name/data
  bin_dir: $pgbin
  pgpass: $dir/$name/pgpass
  authentication:
    replication: {username: replicator, password: replicator}
    superuser: {username: postgres, password: postgres}
  parameters:
    unix_socket_directories: $dir/$name
YAML
}

haproxy_config() {
  cat <<CFG
global
  maxconn 4000
defaults
  mode tcp
  timeout connect 3s
  timeout client 1h
  timeout server 1h
  timeout tunnel 1h
frontend kartiba
  bind 127.0.0.1:8080
  default_backend nodes
backend nodes
  balance leastconn
  option httpchk GET /healthz
  server n1 127.0.0.1:8181 check
  server n2 127.0.0.1:8182 check
  server n3 127.0.0.1:8183 check
frontend postgres
  bind 127.0.0.1:5000
  default_backend primary
backend primary
  option httpchk GET /primary
  http-check expect status 200
  default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions
  server pg1 127.0.0.1:5441 check port 8008
  server pg2 127.0.0.1:5442 check port 8009
CFG
}

up() {
  [[ -e $dir ]] && { say "$dir exists: run '$0 down' first"; exit 1; }
  [[ -x $server ]] || { say "no kartiba-server at $server (build it, or set KARTIBA_SERVER)"; exit 1; }
  for tool in etcd patroni haproxy; do
    command -v $tool >/dev/null || { say "$tool missing: tools/setup-deps.sh --cluster"; exit 1; }
  done
  mkdir -p "$dir"
  say "etcd"
  start_bg etcd etcd --name e1 --data-dir "$dir/etcd" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster e1=http://127.0.0.1:2380
  wait_until 30 etcdctl --endpoints=127.0.0.1:2379 endpoint health

  say "PostgreSQL under Patroni (primary + synchronous standby)"
  for i in 1 2; do
    mkdir -p "$dir/pg$i"
    patroni_config pg$i $((5440 + i)) $((8007 + i)) >"$dir/pg$i.yml"
    chown -R postgres:postgres "$dir/pg$i" "$dir/pg$i.yml" 2>/dev/null || true
    chmod 700 "$dir/pg$i"
  done
  start_bg pg1 setpriv --reuid=postgres --regid=postgres --init-groups patroni "$dir/pg1.yml"
  wait_until 120 curl -sf http://127.0.0.1:8008/primary
  start_bg pg2 setpriv --reuid=postgres --regid=postgres --init-groups patroni "$dir/pg2.yml"
  wait_until 180 curl -sf http://127.0.0.1:8009/replica
  wait_until 60 sh -c "curl -sf http://127.0.0.1:8008/cluster | grep -q sync_standby"

  say "HAProxy on 127.0.0.1:8080 (kartiba) and 127.0.0.1:5000 (the primary)"
  haproxy_config >"$dir/haproxy.cfg"
  start_bg haproxy haproxy -f "$dir/haproxy.cfg" -db
  wait_until 20 bash -c "</dev/tcp/127.0.0.1/5000"

  say "three kartiba nodes"
  for i in 1 2 3; do
    demo=(); [[ $i == 1 ]] && demo=(--demo)
    KARTIBA_ADMIN_TOKEN=$admin_token start_bg node$i "$server" --cluster "$conninfo" --node n$i \
      --data "$dir/node$i" --listen 127.0.0.1:$((8180 + i)) "${demo[@]}"
  done
  for i in 1 2 3; do wait_until 60 curl -sf http://127.0.0.1:$((8180 + i))/healthz; done
  say "up: http://127.0.0.1:8080/?token=$admin_token&plan=brussels-2024"
  status
}

status() {
  curl -s http://127.0.0.1:8008/cluster 2>/dev/null | python3 -c 'import json,sys
for m in json.load(sys.stdin)["members"]: print(f"  postgres {m[\"name\"]}: {m[\"role\"]} {m[\"state\"]}")' || say "Patroni not answering"
  for i in 1 2 3; do
    echo "  node n$i: $(curl -s http://127.0.0.1:$((8180 + i))/healthz || echo down)"
  done
}

down() {
  # Only the processes this script started (their pid files), newest first.
  for name in node3 node2 node1 haproxy pg2 pg1 etcd; do
    local pidfile="$dir/$name.pid"
    [[ -f $pidfile ]] || continue
    local pid; pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait_until 30 sh -c "! kill -0 $pid" || kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$dir"
  say "down"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
