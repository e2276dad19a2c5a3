#!/usr/bin/env bash
# The RealWorld example under the project's official Postman suite
# (../shared/realworld), on SQLite, PostgreSQL and MySQL, each on a database
# of its own; then the app's profiler history is read back: no request of
# the whole suite may have an N+1, a duplicate query or an unused eager load.
set -euo pipefail
cd "$(dirname "$0")/.."

# The RealWorld project's collection, copied unchanged (with its MIT
# license) so a clone anywhere can run it; where the project's shared copy
# sits beside the repository, the two must be the same file.
collection=${REALWORLD_COLLECTION:-examples/realworld/postman/Conduit.postman_collection.json}
shared=../shared/realworld/Conduit.postman_collection.json
if [ -f "$shared" ] && ! cmp -s "$shared" "$collection"; then
    echo "error: $collection differs from $shared: copy it again, unchanged" >&2
    exit 1
fi
pg_url=${ORMLET_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
my_url=${ORMLET_TEST_MYSQL_URL:-mysql://root@127.0.0.1:3306/test}
name="ormlet_rw_$$"
work=$(mktemp -d)
pid=""

cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    psql "$pg_url" -qc "DROP DATABASE IF EXISTS $name" >/dev/null 2>&1 || true
    mariadb -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS $name" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

cargo build --quiet -p ormlet-realworld
bin=target/debug/ormlet-realworld

# Each server database is the suite's own, created here and dropped on exit.
psql "$pg_url" -qc "CREATE DATABASE $name"
mariadb -h127.0.0.1 -uroot -e "CREATE DATABASE $name"

# The history check: every request of the run, none with an N+1, a duplicate
# or an unused eager load.
check_js='
const [url, expected] = process.argv.slice(1);
fetch(url).then(r => r.json()).then(history => {
  if (history.length < Number(expected)) {
    console.error(`the profiler kept ${history.length} requests, expected ${expected}`);
    process.exit(1);
  }
  let bad = 0, queries = 0;
  for (const e of history) {
    queries += e.report.query_count;
    for (const f of e.report.findings) {
      if (["n_plus_one", "duplicate", "unused_eager_load"].includes(f.kind)) {
        bad++;
        console.error(`${e.method} ${e.path}: ${f.kind}: ${f.suggestion}`);
      }
    }
  }
  console.log(`profiler: ${history.length} requests, ${queries} queries, ${bad} N+1, duplicate or unused eager load findings`);
  process.exit(bad ? 1 : 0);
}).catch(e => { console.error(e); process.exit(1); });
'

run_suite() { # backend database-url
    local backend=$1 url=$2 log="$work/$1.log" out="$work/$1.newman"
    BIND=127.0.0.1:0 DATABASE_URL="$url" JWT_SECRET="ci-$RANDOM-$RANDOM" "$bin" 2>"$log" &
    pid=$!
    local addr=""
    for _ in $(seq 1 300); do
        addr=$(sed -n 's#.*listening on http://\([^/]*\)/api.*#\1#p' "$log")
        [ -n "$addr" ] && break
        if ! kill -0 "$pid" 2>/dev/null; then cat "$log" >&2; echo "error: the app stopped on $backend" >&2; return 1; fi
        sleep 0.1
    done
    [ -n "$addr" ] || { cat "$log" >&2; echo "error: the app did not start on $backend" >&2; return 1; }
    echo "--- $backend: http://$addr/api"
    local status=0
    npx --yes newman@6 run "$collection" --color off \
        --global-var "APIURL=http://$addr/api" \
        --global-var "USERNAME=u$RANDOM$RANDOM" \
        --global-var "EMAIL=u$RANDOM$RANDOM@example.com" \
        --global-var "PASSWORD=secret" >"$out" 2>&1 || status=$?
    # newman's summary table.
    sed -n '/┌─────────────────────────┬/,$p' "$out"
    if [ "$status" -ne 0 ]; then
        grep -E -A6 '^ *[0-9]+\. ' "$out" >&2 || tail -50 "$out" >&2
        echo "error: the Postman suite failed on $backend" >&2
        return 1
    fi
    local requests
    requests=$(sed -n 's/.*│ *requests │ *\([0-9]*\) │.*/\1/p' "$out")
    node -e "$check_js" "http://$addr/_ormlet/json" "${requests:-1}"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    pid=""
}

run_suite sqlite "sqlite://$work/realworld.db"
run_suite postgres "${pg_url%/*}/$name"
run_suite mysql "${my_url%/*}/$name"
echo "realworld: the Postman suite passed on SQLite, PostgreSQL and MySQL with no N+1, no duplicate query and no unused eager load"
