#!/usr/bin/env bash
# etcd_peer.sh — measure a local etcd the way etcd's own `benchmark` tool does,
# so Capstan's store benchmark can print ratios against it in the same run.
#
# Prints exactly one line to stdout:
#   etcd put1=<ops/s> put64=<ops/s> update64=<ops/s> get64=<ops/s> watch10=<events/s per watcher|NA>
# Everything else (progress, latency percentiles, etcd's log on failure) goes to stderr.
#
# Workloads (32-byte keys, 1 KiB values, one fresh single-node etcd on 127.0.0.1,
# default durable fsync settings):
#   put1      put, 1 client on 1 connection, a new key each time
#   put64     put, 64 clients over 8 connections, a new key each time
#   update64  put, 64 clients over 8 connections, random keys of 1000 existing keys
#   get64     linearizable point get of those 1000 keys, 64 clients over 8 connections
#             (a serializable variant is measured too and printed on stderr only)
#   watch10   100,000 keys written under a prefix, then 10 watchers (own connections)
#             each replay that whole history; events/s per watcher
#
# Environment:
#   ETCD_BENCH_DIR          cache for the built client (default /tmp/capstan-etcd-bench)
#   ETCD_BENCH_TOTAL        requests for put64/update64/get64 (default 20000)
#   ETCD_BENCH_PUT1_TOTAL   requests for put1 (default ETCD_BENCH_TOTAL/4: one client is
#                           ~8x slower, a quarter keeps its share of the run short)
#   ETCD_BENCH_WATCH_EVENTS keys written and replayed for watch10 (default 100000; 0 skips → NA)
#   ETCD_BENCH_WATCHERS     watchers (default 10)
#   ETCD_BENCH_UPDATE_KEYS  key space of update64/get64 (default 1000)
#   ETCD_BENCH_KEY_SIZE / ETCD_BENCH_VAL_SIZE   (default 32 / 1024)
#   ETCD_BENCH_SERIALIZABLE 1 (default) also measures serializable gets, 0 skips them
#   ETCD_BENCH_DATA_PARENT  where etcd's temp data dir goes (default ${TMPDIR:-/tmp})
#
# Why a client of our own (tools/bench/etcd/etcdbench.go) and not etcd's
# tools/benchmark: Debian's golang-etcd-server-dev ships etcd's library source
# (clientv3, pkg/report, ...) but not tools/, and nothing else may be fetched.
# etcdbench reproduces benchmark's load model (clients round-robin over conns,
# one producer, etcd's pkg/report for Requests/sec) — see the header of that file.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_DIR=$SCRIPT_DIR/etcd
ETCD_BENCH_DIR=${ETCD_BENCH_DIR:-/tmp/capstan-etcd-bench}
TOTAL=${ETCD_BENCH_TOTAL:-20000}
PUT1_TOTAL=${ETCD_BENCH_PUT1_TOTAL:-$(( TOTAL / 4 > 0 ? TOTAL / 4 : 1 ))}
WATCH_EVENTS=${ETCD_BENCH_WATCH_EVENTS:-100000}
WATCHERS=${ETCD_BENCH_WATCHERS:-10}
UPDATE_KEYS=${ETCD_BENCH_UPDATE_KEYS:-1000}
KEY_SIZE=${ETCD_BENCH_KEY_SIZE:-32}
VAL_SIZE=${ETCD_BENCH_VAL_SIZE:-1024}
SERIALIZABLE=${ETCD_BENCH_SERIALIZABLE:-1}
DATA_PARENT=${ETCD_BENCH_DATA_PARENT:-${TMPDIR:-/tmp}}

log() { echo "etcd_peer: $*" >&2; }
START_SECONDS=$SECONDS

# --- 1. Debian packages -------------------------------------------------------
# golang-etcd-server-dev depends on every Go library clientv3 needs (grpc, zap,
# gogo/protobuf, ...), all installed under /usr/share/gocode.
ensure_packages() {
    local missing=()
    command -v etcd >/dev/null || missing+=(etcd-server)
    command -v go >/dev/null || missing+=(golang-go)
    [[ -d /usr/share/gocode/src/go.etcd.io/etcd/clientv3 ]] || missing+=(golang-etcd-server-dev)
    ((${#missing[@]} == 0)) && return 0
    log "installing ${missing[*]} with apt-get"
    [[ $(id -u) == 0 ]] || { log "need root to apt-get install ${missing[*]}"; exit 1; }
    # Package lists may be absent or stale on a fresh machine: update first.
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# --- 2. Build the client (cached) ---------------------------------------------
# GOPATH mode against Debian's source tree: no go.mod, no module proxy, no network.
# The binary is reused while the source, Go and the etcd source package are unchanged.
build_client() {
    mkdir -p "$ETCD_BENCH_DIR"
    BENCH_BIN=$ETCD_BENCH_DIR/etcdbench
    local stamp
    stamp=$( { sha256sum "$SRC_DIR"/*.go; go version
               dpkg-query -W -f='${Version}\n' golang-etcd-server-dev 2>/dev/null || true; } | sha256sum | cut -d' ' -f1)
    # flock: two benchmark runs starting at once must not build over each other.
    exec 9>"$ETCD_BENCH_DIR/.lock"
    flock 9
    if [[ -x $BENCH_BIN && -f $BENCH_BIN.stamp && $(<"$BENCH_BIN.stamp") == "$stamp" ]]; then
        log "reusing $BENCH_BIN"
    else
        log "building $BENCH_BIN from $SRC_DIR (GOPATH=/usr/share/gocode, offline)"
        (cd "$SRC_DIR" &&
         GO111MODULE=off GOPATH=/usr/share/gocode GOPROXY=off GOFLAGS='' CGO_ENABLED=0 \
         GOCACHE=$ETCD_BENCH_DIR/gocache \
         go build -o "$BENCH_BIN.tmp" etcdbench.go) >&2
        mv -f "$BENCH_BIN.tmp" "$BENCH_BIN"
        echo "$stamp" >"$BENCH_BIN.stamp"
    fi
    flock -u 9
    exec 9>&-
}

# --- 3. A fresh etcd on loopback ----------------------------------------------
ETCD_PID=
DATA_DIR=
cleanup() {
    if [[ -n $ETCD_PID ]] && kill -0 "$ETCD_PID" 2>/dev/null; then
        kill "$ETCD_PID" 2>/dev/null || true
        wait "$ETCD_PID" 2>/dev/null || true
    fi
    [[ -n $DATA_DIR ]] && rm -rf "$DATA_DIR"
    return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_etcd() {
    # fsync is the dominant cost of a put; a tmpfs data dir would hide it and
    # flatter etcd, so say so loudly if that is where we are.
    if [[ $(stat -f -c %T "$DATA_PARENT") == tmpfs ]]; then
        log "WARNING: $DATA_PARENT is tmpfs: fsync is free there, etcd's figures will be too high"
    fi
    local attempt client_port peer_port
    for attempt in 1 2 3; do
        # Free ports from the kernel (bind to :0); another process could still
        # take one before etcd binds it, hence the retries.
        { read -r client_port; read -r peer_port; } < <("$BENCH_BIN" freeports)
        DATA_DIR=$(mktemp -d "$DATA_PARENT/capstan-etcd.XXXXXX")
        ENDPOINT=127.0.0.1:$client_port
        # All other settings as etcd ships them (durable WAL fsync, 100ms
        # backend commit interval, snapshot-count 100000, 2 GiB quota).
        etcd --name capstan-bench \
             --data-dir "$DATA_DIR/data" \
             --listen-client-urls "http://$ENDPOINT" \
             --advertise-client-urls "http://$ENDPOINT" \
             --listen-peer-urls "http://127.0.0.1:$peer_port" \
             --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
             --initial-cluster "capstan-bench=http://127.0.0.1:$peer_port" \
             --initial-cluster-state new \
             --logger=zap --log-outputs="$DATA_DIR/etcd.log" --log-level=warn \
             >"$DATA_DIR/etcd.out" 2>&1 &
        ETCD_PID=$!
        if "$BENCH_BIN" wait -endpoints "$ENDPOINT" -timeout 20s && kill -0 "$ETCD_PID" 2>/dev/null; then
            log "etcd $(etcd --version | awk '/etcd Version/{print $3}') up at $ENDPOINT (pid $ETCD_PID, data $DATA_DIR)"
            return 0
        fi
        log "etcd did not come up (attempt $attempt); its log:"
        tail -n 20 "$DATA_DIR/etcd.out" "$DATA_DIR/etcd.log" >&2 2>/dev/null || true
        cleanup
        ETCD_PID='' DATA_DIR=''
    done
    log "giving up on starting etcd"
    exit 1
}

# --- 4. Workloads ---------------------------------------------------------------
# bench <subcommand> [flags]: runs one workload, result (an integer) on stdout.
bench() {
    local sub=$1; shift
    "$BENCH_BIN" "$sub" -endpoints "$ENDPOINT" -key-size "$KEY_SIZE" -val-size "$VAL_SIZE" "$@"
}

ensure_packages
build_client
start_etcd

# Every put a new key (sequential, as in etcd's documented `put --sequential-keys` runs).
put1=$(bench put -conns 1 -clients 1 -total "$PUT1_TOTAL" -sequential-keys -prefix p1/)
put64=$(bench put -conns 8 -clients 64 -total "$TOTAL" -sequential-keys -prefix p64/)

# Create the update key space first (untimed) so that every timed put is an overwrite.
bench put -conns 8 -clients 64 -total "$UPDATE_KEYS" -sequential-keys -prefix u/ >/dev/null
update64=$(bench put -conns 8 -clients 64 -total "$TOTAL" -key-space-size "$UPDATE_KEYS" -prefix u/)

# Point gets of those existing keys; linearizable (etcd's default, a ReadIndex round per batch).
get64=$(bench range -conns 8 -clients 64 -total "$TOTAL" -key-space-size "$UPDATE_KEYS" -prefix u/)
if [[ $SERIALIZABLE == 1 ]]; then
    get64s=$(bench range -conns 8 -clients 64 -total "$TOTAL" -key-space-size "$UPDATE_KEYS" -prefix u/ -serializable)
    log "serializable get64s=$get64s ops/s (not in the summary line)"
fi

# Watch history replay. Watchers start at the first revision of the prefix's
# writes (not revision 1) so the ~50k revisions of the workloads above are not
# scanned and thrown away; the prefix holds nothing else.
watch10=NA
if ((WATCH_EVENTS > 0)); then
    watch10=$(bench watch -conns 8 -clients 64 -total "$WATCH_EVENTS" -watchers "$WATCHERS" -prefix w/)
fi

log "done in $((SECONDS - START_SECONDS))s"
echo "etcd put1=$put1 put64=$put64 update64=$update64 get64=$get64 watch10=$watch10"
