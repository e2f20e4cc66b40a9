# Shared by the bench scripts (sourced): a release server on a free loopback port with a
# fresh data directory, and wrk runs summarised on one line each.
# Expects: $conns, $secs; sets: $out, $port, $base, $data, $pid.

out=bench/out; mkdir -p "$out"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
data=$(mktemp -d /tmp/mercato-bench-XXXXXX); chmod 755 "$data"
base="http://127.0.0.1:$port"
pid=""
stop() { [ -n "$pid" ] && kill -INT "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; pid=""; }
trap 'stop; rm -rf "$data"' EXIT

# Starts the server in the background (this shell keeps its pid) and sets `elapsed` to
# the milliseconds from launch to the first product page.
start() {
  local t0; t0=$(date +%s%N)
  # The load comes from one address on purpose: no rate limits.
  MERCATO_DATA_DIR="$data" MERCATO_HTTP__ADDR="127.0.0.1:$port" RUST_LOG=warn \
    MERCATO_RATE_LIMITS__ENABLED=false target/release/server > "$out/server.log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "$base/p/laptop"; do
    kill -0 "$pid" 2>/dev/null || { echo "server died:"; tail "$out/server.log"; exit 1; }
    sleep 0.01
  done
  elapsed=$(( ($(date +%s%N) - t0) / 1000000 ))
}

# `load LABEL PATH [LUA-SCRIPT [SCRIPT-ARGS...]]`: wrk for $secs at $conns connections;
# prints "label req/s p50 p99 non-2xx".
load() {
  local label=$1 path=$2 script=${3:-}; shift $(( $# < 3 ? $# : 3 ))
  local file="$out/wrk-$(echo "$label" | tr ' /?=' '____').txt"
  local threads=$(( conns < 2 ? conns : 2 ))
  if [ -n "$script" ]; then
    wrk -t"$threads" -c"$conns" -d"${secs}s" --latency -s "$script" "$base$path" -- "$@" > "$file"
  else
    wrk -t"$threads" -c"$conns" -d"${secs}s" --latency "$base$path" > "$file"
  fi
  awk -v label="$label" '
    /Requests\/sec/ { rps=$2 }
    /^ +50%/ { p50=$2 } /^ +99%/ { p99=$2 }
    /Non-2xx/ { bad=$NF }
    END { printf "%-22s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n", label, rps, p50, p99, (bad==""?0:bad) }
  ' "$file"
}
to_ms() { awk '{ v=$1; if (v ~ /us$/) { sub(/us$/,"",v); v/=1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v) } else if (v ~ /s$/) { sub(/s$/,"",v); v*=1000 } print v }'; }
# Fields by their names (a label may have spaces).
rps_of() { echo "$1" | awk '{ for (i = 2; i <= NF; i++) if ($i == "req/s") { print $(i-1); exit } }'; }
p99_of() { echo "$1" | awk '{ for (i = 1; i < NF; i++) if ($i == "p99") { print $(i+1); exit } }' | to_ms; }
