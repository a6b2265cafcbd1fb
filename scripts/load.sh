#!/usr/bin/env bash
# Load test of the demo binaries over loopback with wrk.
#
# For each binary: start it in release mode on a free loopback port (a fresh SQLite user file,
# user alice), log in once with curl, then measure authenticated `GET /whoami/` with wrk:
# first alone, then while a second wrk floods `POST /jwt/login/` with valid credentials
# (Argon2id with the demo's parameters on every login). If password hashing ran on the async
# executor, every /whoami/ request would queue behind it and its p99 would jump; the target
# is a p99 under the flood within 5x of the p99 without.
#
# usage: scripts/load.sh [axum] [actix] [rocket] [warp] [hyper]   (default: all five)
# settings (environment): DURATION seconds per measurement (10), CONNECTIONS for /whoami/ (8),
# FLOOD_CONNECTIONS for the login flood (4). Everything it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-8}
FLOOD_CONNECTIONS=${FLOOD_CONNECTIONS:-4}
TARGET=5
binaries=("$@")
[ ${#binaries[@]} -gt 0 ] || binaries=(axum actix rocket warp hyper)

missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing ${missing[*]} with apt-get"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

echo "== cargo build --release -p jwt-examples --bins"
cargo build --release -p jwt-examples --bins

workdir=$(mktemp -d)
started=()
cleanup() {
    local pid
    for pid in "${started[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${started[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A loopback port nothing listens on.
free_port() {
    local port attempt
    for attempt in $(seq 1 100); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    echo "no free loopback port found" >&2
    return 1
}

# wrk prints latencies as 812.00us, 1.23ms or 1.05s: milliseconds, as a plain number.
to_ms() {
    awk '{ v = $1
           if (v ~ /us$/) { sub(/us$/, "", v); v = v / 1000 }
           else if (v ~ /ms$/) { sub(/ms$/, "", v) }
           else if (v ~ /s$/) { sub(/s$/, "", v); v = v * 1000 }
           printf "%.3f", v }'
}

# requests/s, p50 ms, p99 ms from a `wrk --latency` report; fails on non-2xx answers or errors.
read_report() {
    local report=$1 what=$2
    if grep -q "Non-2xx or 3xx responses" "$report"; then
        echo "$what: some answers were not 2xx:" >&2
        cat "$report" >&2
        return 1
    fi
    local rps p50 p99
    rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$report")
    p50=$(awk '$1 == "50%" { print $2 }' "$report" | to_ms)
    p99=$(awk '$1 == "99%" { print $2 }' "$report" | to_ms)
    echo "$rps $p50 $p99"
}

cat >"$workdir/login.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"username": "alice", "password": "password1"}'
wrk.headers["Content-Type"] = "application/json"
LUA

echo "== machine: $(nproc) cores, $(lscpu | awk -F: '/Model name/ { gsub(/^ +/, "", $2); print $2; exit }'), $(free -g | awk '/^Mem:/ { print $2 " GiB" }')"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
results=()
for bin in "${binaries[@]}"; do
    exe="target/release/$bin"
    [ -x "$exe" ] || { echo "no demo binary $exe" >&2; exit 1; }
    port=$(free_port)
    base="http://127.0.0.1:$port"
    JWT_SECRET="load test secret: 0123456789abcdef0123456789abcdef" \
        JWT_DEMO_USERS="alice:password1" RUST_LOG=warn \
        "$exe" --addr "127.0.0.1:$port" --db "$workdir/$bin.sqlite" >"$workdir/$bin.log" 2>&1 &
    server=$!
    started+=("$server")

    for attempt in $(seq 1 150); do
        curl -s -o /dev/null "$base/" && break
        kill -0 "$server" 2>/dev/null || { cat "$workdir/$bin.log" >&2; exit 1; }
        sleep 0.2
    done
    cookie=$(curl -sf -D - -o /dev/null -H 'content-type: application/json' \
        --data '{"username": "alice", "password": "password1"}' "$base/jwt/login/" |
        tr -d '\r' |
        awk 'tolower($1) == "set-cookie:" && $2 ~ /^Authorization=/ { sub(/;.*/, "", $2); print $2 }')
    [ -n "$cookie" ] || { echo "$bin: login gave no access cookie" >&2; exit 1; }
    # The access cookie among a site's other cookies, as a browser sends it.
    header="Cookie: theme=dark; lang=en-GB; $cookie; _ga=GA1.1.1234567890.1700000000"
    curl -sf -o /dev/null -H "$header" "$base/whoami/" || { echo "$bin: /whoami/ refused the cookie" >&2; exit 1; }

    whoami() {
        timeout $((DURATION + 30)) wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency \
            -H "$header" "$base/whoami/" >"$1"
    }
    echo "== $bin on $base: warm-up, /whoami/ alone, then /whoami/ during a login flood"
    timeout 30 wrk -t1 -c"$CONNECTIONS" -d2s -H "$header" "$base/whoami/" >/dev/null
    whoami "$workdir/$bin.alone"
    report=$(read_report "$workdir/$bin.alone" "$bin /whoami/")
    read -r rps p50 p99 <<<"$report"

    timeout $((DURATION + 40)) wrk -t1 -c"$FLOOD_CONNECTIONS" -d"$((DURATION + 3))s" \
        -s "$workdir/login.lua" "$base/jwt/login/" >"$workdir/$bin.flood" &
    flood=$!
    started+=("$flood")
    sleep 1
    whoami "$workdir/$bin.during"
    wait "$flood"
    report=$(read_report "$workdir/$bin.during" "$bin /whoami/ during the flood")
    read -r frps fp50 fp99 <<<"$report"
    logins=$(awk '/^Requests\/sec:/ { printf "%.1f", $2 }' "$workdir/$bin.flood")
    if grep -q "Non-2xx or 3xx responses" "$workdir/$bin.flood"; then
        echo "$bin: some logins of the flood failed:" >&2
        cat "$workdir/$bin.flood" >&2
        exit 1
    fi

    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    results+=("$bin $rps $p50 $p99 $frps $fp50 $fp99 $logins")
done
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "authenticated GET /whoami/, ${DURATION} s, ${CONNECTIONS} connections; flood: POST /jwt/login/ on ${FLOOD_CONNECTIONS} connections"
printf '%-7s %9s %8s %8s | %9s %8s %8s %9s | %8s  %s\n' \
    binary "req/s" "p50 ms" "p99 ms" "req/s" "p50 ms" "p99 ms" "logins/s" "p99 x" "flood p99 <= ${TARGET}x"
status=0
for line in "${results[@]}"; do
    read -r bin rps p50 p99 frps fp50 fp99 logins <<<"$line"
    ratio=$(awk -v a="$fp99" -v b="$p99" 'BEGIN { printf "%.2f", a / b }')
    verdict=$(awk -v r="$ratio" -v t="$TARGET" 'BEGIN { print (r <= t) ? "PASS" : "FAIL" }')
    [ "$verdict" = PASS ] || status=1
    printf '%-7s %9s %8s %8s | %9s %8s %8s %9s | %8s  %s\n' \
        "$bin" "$rps" "$p50" "$p99" "$frps" "$fp50" "$fp99" "$logins" "$ratio" "$verdict"
done
exit "$status"
