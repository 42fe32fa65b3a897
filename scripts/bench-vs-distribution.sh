#!/usr/bin/env bash
# bench-vs-distribution.sh HARNESS_DIR
#
# Runs the registry harness's push/pull and tag/catalog benchmarks against a
# fresh `wharf serve` and against CNCF Distribution (Debian's docker-registry)
# in the same run, on this machine, and prints Wharf/Distribution ratios.
# HARNESS_DIR is the registry-harness folder (our shared tools); it is copied
# to /tmp and built there (root, apt and the Go module proxy needed).
#
# Wharf, like ECR Public, pushes only into repositories that exist: the
# script creates them first (boto3, as the aws CLI would) and logs in with a
# password from GetAuthorizationToken.
set -euo pipefail
HARNESS=${1:?usage: $0 HARNESS_DIR}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH=/usr/local/go/bin:$PATH
WORK=$(mktemp -d /tmp/wharf-bench.XXXXXX)
RH=$WORK/rh
cp -r "$HARNESS" "$RH" && chmod -R u+w "$RH"
(cd "$RH" && ./build.sh >"$WORK/build.log" 2>&1) || { cat "$WORK/build.log"; exit 1; }
(cd "$ROOT" && go build -o "$WORK/wharf" ./cmd/wharf)
STAMP=$(date -u +%Y%m%d%H%M%S)

"$WORK/wharf" serve --addr 127.0.0.1:5100 --data-dir "$WORK/data" --log-level warn >"$WORK/wharf.log" 2>&1 &
WPID=$!
trap 'kill $WPID 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs http://127.0.0.1:5100/healthz >/dev/null && break; sleep 0.1; done

readarray -t P < <(python3 - "$WORK/data" "$STAMP" <<'PY'
import base64, csv, sys, boto3
data, stamp = sys.argv[1], sys.argv[2]
key = list(csv.reader(open(data + "/root-credentials.csv")))[1]
c = boto3.client("ecr-public", endpoint_url="http://127.0.0.1:5100", region_name="us-east-1",
                 aws_access_key_id=key[0], aws_secret_access_key=key[1])
names = [f"bench/{k}-{stamp}-r{r}" for r in (1, 2, 3) for k in ("big", "small")]
names += [f"bench/tags-{stamp}"] + [f"bench/tags-{stamp}-r{i:04d}" for i in range(200)]
for n in names:
    alias = c.create_repository(repositoryName=n)["repository"]["repositoryUri"].split("/")[1]
token = c.get_authorization_token()["authorizationData"]["authorizationToken"]
print(alias)
print(base64.b64decode(token).decode().split(":", 1)[1])
PY
)
ALIAS=${P[0]} PASSWORD=${P[1]}

run() { # LABEL URL [env…]
  local label=$1 url=$2; shift 2
  env "$@" STAMP=$STAMP ROUNDS=3 "$RH/bench-pushpull.sh" "$url" 2>&1 | grep '^summary' | sed "s/^/$label push\/pull /"
  env "$@" TAGS=2000 CATALOG_REPOS=200 "$RH/bench-tags.sh" "$url" 2>&1 | grep '^summary' | sed "s/^/$label listing /"
}
run wharf http://127.0.0.1:5100 REPO_PREFIX="$ALIAS/bench" REPO="$ALIAS/bench/tags-$STAMP" REG_USERNAME=AWS REG_PASSWORD="$PASSWORD" | tee "$WORK/wharf.txt"
echo "wharf peak RSS: $(grep VmHWM /proc/$WPID/status | awk '{print $2, $3}')"
DPID=$("$RH/start-distribution.sh" 5101 | tail -1)
run distribution http://127.0.0.1:5101 | tee "$WORK/distribution.txt"
echo "distribution peak RSS: $(grep VmHWM /proc/$DPID/status | awk '{print $2, $3}')"
"$RH/start-distribution.sh" stop "$DPID" >/dev/null

ratio() { # FILE_A FILE_B PATTERN (higher is better)
  local a b
  a=$(grep -o "$3 [0-9.]*" "$1" | awk '{print $NF}'); b=$(grep -o "$3 [0-9.]*" "$2" | awk '{print $NF}')
  awk -v a="$a" -v b="$b" -v n="$3" 'BEGIN { printf "%-22s wharf %8s  distribution %8s  ratio %.2f\n", n, a, b, a/b }'
}
ratio_ms() { # lower is better: ratio = distribution / wharf
  local a b
  a=$(grep -o "$3 [0-9.]* ms" "$1" | awk '{print $(NF-1)}'); b=$(grep -o "$3 [0-9.]* ms" "$2" | awk '{print $(NF-1)}')
  awk -v a="$a" -v b="$b" -v n="$3" 'BEGIN { printf "%-22s wharf %6s ms  distribution %6s ms  speed-up %.2f\n", n, a, b, b/a }'
}
echo
echo "Wharf / Distribution (higher is better for Wharf):"
ratio "$WORK/wharf.txt" "$WORK/distribution.txt" "big push"
ratio "$WORK/wharf.txt" "$WORK/distribution.txt" "big pull"
ratio "$WORK/wharf.txt" "$WORK/distribution.txt" "small push"
ratio "$WORK/wharf.txt" "$WORK/distribution.txt" "small pull"
ratio_ms "$WORK/wharf.txt" "$WORK/distribution.txt" "tags/list (no n)"
ratio_ms "$WORK/wharf.txt" "$WORK/distribution.txt" "_catalog (no n)"
echo "(results and logs in $WORK)"
