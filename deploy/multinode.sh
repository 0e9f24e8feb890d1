#!/usr/bin/env bash
# Runs two Temaplan nodes on this machine that share one Mongo-compatible
# store and one Redis, as several nodes do in production:
#
#   FerretDB (bin/ferretdb-dev)  127.0.0.1:27018   (MULTINODE_MONGO_PORT)
#   redis-server                 127.0.0.1:6380    (MULTINODE_REDIS_PORT)
#   node 1                       http://127.0.0.1:8081, metrics :9091
#   node 2                       http://127.0.0.1:8082, metrics :9092
#
# Node 1 seeds the demo (-demo) in the shared store: log in on either node
# as leader@demo.no, member@demo.no, … with the password "demo".
#
# Run it with `make multinode` (which builds bin/temaplan and
# bin/ferretdb-dev first). Everything lives in data/multinode/, including
# the nodes' shared JWT secret. Ctrl-C stops all four processes.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=data/multinode
mongo_port=${MULTINODE_MONGO_PORT:-27018}
redis_port=${MULTINODE_REDIS_PORT:-6380}
for bin in bin/temaplan bin/ferretdb-dev; do
	[[ -x $bin ]] || { echo "multinode: $bin is missing: run \`make multinode\`" >&2; exit 1; }
done
command -v redis-server >/dev/null || { echo "multinode: redis-server is not installed (apt-get install redis-server)" >&2; exit 1; }
mkdir -p "$dir"
chmod 700 "$dir"

pids=()
stop_all() {
	trap - INT TERM EXIT
	echo "multinode: stopping"
	# Nodes first, then the services they use.
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		kill -TERM "${pids[i]}" 2>/dev/null || true
		wait "${pids[i]}" 2>/dev/null || true
	done
}
trap stop_all INT TERM EXIT

wait_port() { # port name pid
	for _ in $(seq 1 150); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
		kill -0 "$3" 2>/dev/null || { echo "multinode: $2 exited; see $dir/$2.log" >&2; exit 1; }
		sleep 0.1
	done
	echo "multinode: $2 did not open port $1" >&2
	exit 1
}

# The store: FerretDB prints "ready mongodb://..." when it accepts connections.
bin/ferretdb-dev -listen "127.0.0.1:$mongo_port" -dir "$dir/ferretdb" >"$dir/ferretdb.out" 2>"$dir/ferretdb.log" &
pids+=($!)
wait_port "$mongo_port" ferretdb "${pids[-1]}"
for _ in $(seq 1 50); do grep -q '^ready ' "$dir/ferretdb.out" && break; sleep 0.1; done
mongo_uri=$(sed -n 's/^ready //p' "$dir/ferretdb.out")
[[ -n $mongo_uri ]] || { echo "multinode: FerretDB printed no ready line" >&2; exit 1; }

# The bus.
redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no \
	--dir "$PWD/$dir" --logfile "$PWD/$dir/redis.log" &
pids+=($!)
wait_port "$redis_port" redis "${pids[-1]}"

# The nodes' shared secret, made once.
if [[ ! -s $dir/jwt-secret ]]; then
	(umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$dir/jwt-secret")
fi

for n in 1 2; do
	demo=false
	if ((n == 1)); then demo=true; fi
	TEMAPLAN_DEMO=$demo \
	TEMAPLAN_ADDR="127.0.0.1:808$n" \
	TEMAPLAN_ADMIN_ADDR="127.0.0.1:909$n" \
	TEMAPLAN_DATA="$dir/node$n" \
	MONGODB_URI="$mongo_uri" \
	MONGODB_DB=temaplan \
	REDIS_URL="redis://127.0.0.1:$redis_port/0" \
	TEMAPLAN_JWT_SECRET_FILE="$dir/jwt-secret" \
	TEMAPLAN_ORIGINS="http://127.0.0.1:8081,http://127.0.0.1:8082,http://localhost:8081,http://localhost:8082" \
		bin/temaplan serve > >(sed -u "s/^/[node$n] /") 2>&1 &
	pids+=($!)
done
echo "multinode: node 1 http://127.0.0.1:8081, node 2 http://127.0.0.1:8082 (Ctrl-C stops all)"

# Stop everything when any process ends.
wait -n
