#!/usr/bin/env bash
# Builds the container image from the Dockerfile and runs it for real, without a Docker engine:
# buildah builds it (chroot isolation, vfs storage), then the image's own entrypoint and command
# run inside it as the image's user, on the host network, with the image's /data volume.
# Checks: /healthz, /readyz, the demo application in the catalogue, the process user (node),
# writes only under /data (and /tmp), a clean exit on SIGTERM within the bound, the image size.
# Needs root, buildah and mmdebstrap (installed when missing) and ../shared/tools/node-base-image.sh,
# which builds a local stand-in for node:20-bookworm-slim (no container registry is reachable here).
# Usage: bash scripts/container-test.sh   (REUSE_IMAGE=1 skips the build when the image exists)
set -euo pipefail
cd "$(dirname "$0")/.."
export STORAGE_DRIVER=vfs
image=localhost/margo-bridge:ci
shutdown_bound=15
size_goal_mb=250

fail() { echo "container: FAILED: $*" >&2; exit 1; }

for tool in buildah mmdebstrap; do
  command -v "$tool" >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah mmdebstrap >/dev/null
  }
done
base_script=../shared/tools/node-base-image.sh
[ -f "$base_script" ] || fail "$base_script not found (the shared tools sit beside the checkout)"
bash "$base_script"

# Build from the committed tree only, so that files lying around in a work tree never reach the image.
context=$(mktemp -d)
container=''
runner=''
# The service runs as a grandchild of `buildah run` (chroot exec, then node): the whole tree.
descendants() {
  local child
  for child in $(pgrep -P "$1"); do descendants "$child"; echo "$child"; done
}
cleanup() {
  # A failed check must not leave the service running (buildah run does not end with this script).
  if [ -n "$runner" ] && kill -0 "$runner" 2>/dev/null; then
    local tree
    tree="$(descendants "$runner") $runner"
    # shellcheck disable=SC2086
    kill -TERM $tree 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$runner" 2>/dev/null || break; sleep 0.1; done
    # shellcheck disable=SC2086
    kill -KILL $tree 2>/dev/null || true
  fi
  [ -n "$container" ] && { buildah umount "$container" >/dev/null 2>&1 || true; buildah rm "$container" >/dev/null 2>&1 || true; }
  rm -rf "$context"
}
trap cleanup EXIT
if git rev-parse --git-dir >/dev/null 2>&1; then
  git archive HEAD | tar -x -C "$context"
else
  cp -a . "$context"
fi
started=$(date +%s)
if [ "${REUSE_IMAGE:-}" = 1 ] && [ -n "$(buildah images --quiet "$image" 2>/dev/null)" ]; then
  echo "container: reusing $image (REUSE_IMAGE=1)"
else
  build_log=$(mktemp)
  buildah bud --format docker --isolation chroot --pull=false --layers=false -t "$image" "$context" >"$build_log" 2>&1 \
    || { grep -v 'EBADENGINE' "$build_log" | tail -n 60 >&2; fail "the image did not build (above: the end of buildah's output)"; }
  rm -f "$build_log"
  echo "container: built $image in $(( $(date +%s) - started )) s"
fi

# buildah reports sizes as text ("528 MB"); in megabytes (10^6 bytes) as whole numbers.
size_mb() {
  buildah images --json "$1" | python3 -c '
import json, sys
number, unit = json.load(sys.stdin)[0]["size"].split()
print(round(float(number) * {"B": 1e-6, "kB": 1e-3, "KB": 1e-3, "MB": 1, "GB": 1e3}[unit]))'
}
own_mb=$(( $(size_mb "$image") - $(size_mb docker.io/library/node:20-bookworm-slim) ))
echo "container: runtime stage adds ${own_mb} MB beyond the base image (goal: under ${size_goal_mb} MB)"
[ "$own_mb" -lt "$size_goal_mb" ] || fail "the runtime stage adds ${own_mb} MB, over ${size_goal_mb} MB"

# The image's own entrypoint, command and user, as a container runtime would start them.
read -r user entrypoint <<<"$(buildah inspect --type image "$image" | python3 -c '
import json, shlex, sys
config = json.load(sys.stdin)["OCIv1"]["config"]
print(config.get("User", "root"), shlex.join(config.get("Entrypoint", []) + config.get("Cmd", [])))')"
[ "$user" = node ] || fail "the image runs as '$user', not node"
healthcheck=$(buildah inspect --type image "$image" | python3 -c '
import json, shlex, sys
test = json.load(sys.stdin).get("Docker", {}).get("config", {}).get("Healthcheck", {}).get("Test", [])
print(shlex.join(test[1:]) if test[:1] == ["CMD"] else " ".join(test[1:]))')
[ -n "$healthcheck" ] || fail "the image has no HEALTHCHECK"

container=$(buildah from --pull=false "$image")
root=$(buildah mount "$container")
marker=$(mktemp)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
token=mb_container_test_$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
webhook_secret=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
log=$(mktemp)
# HOST=127.0.0.1: on the host network the service must listen on loopback only here.
# shellcheck disable=SC2086
buildah run --isolation chroot --user "$user" \
  --env HOST=127.0.0.1 --env PORT="$port" --env MARGO_BRIDGE_ADMIN_TOKEN="$token" \
  --env MARGO_BRIDGE_ALLOW_PRIVATE_NETWORKS=true --env MARGO_BRIDGE_WEBHOOK_SECRET="$webhook_secret" \
  "$container" -- $entrypoint --demo >"$log" 2>&1 &
runner=$!

url=http://127.0.0.1:$port
for _ in $(seq 1 120); do
  curl -fsS "$url/readyz" >/dev/null 2>&1 && break
  kill -0 "$runner" 2>/dev/null || { cat "$log" >&2; fail "the service exited before it was ready"; }
  sleep 0.5
done
curl -fsS "$url/healthz" >/dev/null || { cat "$log" >&2; fail "/healthz did not answer 200"; }
curl -fsS "$url/readyz" >/dev/null || fail "/readyz did not answer 200"
echo "container: /healthz and /readyz answer 200"

found=''
for _ in $(seq 1 60); do
  if curl -fsS -H "Authorization: Bearer $token" "$url/api/v1/applications" | grep -q '"id"'; then found=yes; break; fi
  sleep 0.5
done
[ -n "$found" ] || { cat "$log" >&2; fail "the demo application never reached the catalogue"; }
echo "container: the demo application is in the catalogue"

# The whole loop inside the image: a new release tagged in the demo registry, a signed webhook
# delivery, the version ingested, a deployment proposed to the `local` deployment repository,
# approved, and the desired state cloned from the image's read-only Git endpoint.
id=$(buildah inspect --format '{{.ContainerID}}' "$container")
volume=$(ls -d /var/lib/containers/storage/*-containers/"$id"/userdata/buildah-volumes/* 2>/dev/null | head -n 1)
[ -n "$volume" ] && [ -d "$volume/demo/demo.git" ] || fail "the demo registry is not under /data"
demo_url=$(grep -o '"url":"http://127.0.0.1:[0-9]*/demo.git"' "$log" | head -n 1 | cut -d '"' -f 4)
[ -n "$demo_url" ] || fail "the log does not say where the demo registry serves"
work=$(mktemp -d)
# The repository belongs to the image's user; git as root needs it declared safe (global config only).
printf '[safe]\n\tdirectory = *\n[user]\n\tname = ci\n\temail = ci@example.com\n' >"$work/gitconfig"
export GIT_CONFIG_GLOBAL="$work/gitconfig"
git clone --quiet "$volume/demo/demo.git" "$work/demo"
sed -i 's/^  version: .*/  version: 1.1/' "$work/demo/margo.yaml"
git -C "$work/demo" commit --quiet -am 'Release 1.1'
git -C "$work/demo" tag v1.1
git -C "$work/demo" push --quiet origin HEAD:main refs/tags/v1.1
unset GIT_CONFIG_GLOBAL
chown -R 1000:1000 "$volume/demo/demo.git"
rm -rf "$work"
body=$(printf '{"ref":"refs/tags/v1.1","before":"%040d","after":"%040d","created":true,"deleted":false,"repository":{"id":1,"name":"demo","full_name":"demo/demo","clone_url":"%s","html_url":"%s"}}' 0 1 "$demo_url" "$demo_url")
signature=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$webhook_secret" | sed 's/^.* //')
answer=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$url/webhooks/github" -H 'Content-Type: application/json' \
  -H 'X-GitHub-Event: push' -H "X-GitHub-Delivery: $(cat /proc/sys/kernel/random/uuid)" \
  -H "X-Hub-Signature-256: sha256=$signature" --data "$body")
[ "$answer" = 202 ] || fail "the signed webhook delivery was answered $answer, not 202"
api() { curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@"; }
found=''
for _ in $(seq 1 60); do
  api "$url/api/v1/applications/com-northstartida-hello-world" | grep -q '"version":"1.1"' && { found=yes; break; }
  sleep 0.5
done
[ -n "$found" ] || fail "version 1.1 never reached the catalogue after the webhook delivery"
echo "container: a signed webhook delivery brought version 1.1 into the catalogue"
deployment=$(api -X POST "$url/api/v1/deployments" -d '{"repository":"local","applicationId":"com-northstartida-hello-world","version":"1.1","profile":"helm","target":"ci-cluster","values":{"greeting":"Hi"}}') \
  || fail "the deployment request was refused"
deployment_id=$(printf '%s' "$deployment" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
state=''
for _ in $(seq 1 60); do
  state=$(api "$url/api/v1/deployments/$deployment_id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
  [ "$state" = proposed ] && break
  sleep 0.5
done
[ "$state" = proposed ] || fail "the deployment is '$state', not proposed"
api -X POST "$url/api/v1/deployments/$deployment_id/approve" >/dev/null || fail "approving the proposal failed"
state=$(api "$url/api/v1/deployments/$deployment_id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
[ "$state" = merged ] || fail "the approved deployment is '$state', not merged"
clone=$(mktemp -d)
git clone --quiet "http://token:$token@127.0.0.1:$port/git/local.git" "$clone/local" \
  || fail "the local deployment repository could not be cloned over /git/local.git"
grep -rq 'Hi' "$clone/local/ci-cluster" || fail "the merged desired state is not on main"
rm -rf "$clone"
echo "container: deployment proposed, approved, and its desired state cloned from /git/local.git"

# The shared end-to-end scenario (test/support/scenario.ts; the same steps run on Node and inside
# workerd) against the image: the test Git server and the fake GitHub run on the host's loopback.
scenario_log=$(mktemp)
MB_CONTAINER_URL="$url" MB_CONTAINER_TOKEN="$token" MB_CONTAINER_WEBHOOK_SECRET="$webhook_secret" \
  npx vitest run --project integration test/container-scenario.test.ts >"$scenario_log" 2>&1 \
  || { tail -n 60 "$scenario_log" >&2; fail "the end-to-end scenario failed against the image"; }
grep -q '1 passed' "$scenario_log" || { tail -n 30 "$scenario_log" >&2; fail "the end-to-end scenario did not run"; }
rm -f "$scenario_log"
echo "container: the end-to-end scenario passes (registry, signed tag push, version, deployments, pull requests on GitHub, upgrades)"

pid=$(ss -ltnpH "sport = :$port" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n 1)
[ -n "$pid" ] || fail "no process listens on port $port"
uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")
[ "$uid" = 1000 ] || fail "the service runs as uid $uid, not node (1000)"
echo "container: the service runs as node (uid 1000)"
# The image's healthcheck command, run inside the image as it would be.
buildah run --isolation chroot --user "$user" --env PORT="$port" "$container" -- sh -c "$healthcheck" \
  || fail "the image's HEALTHCHECK command failed"
echo "container: the HEALTHCHECK command passes"

started=$(date +%s)
kill -TERM "$pid"
status=0
for _ in $(seq 1 $(( shutdown_bound * 10 ))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && { kill -KILL "$pid"; fail "still running ${shutdown_bound} s after SIGTERM"; }
wait "$runner" || status=$?
took=$(( $(date +%s) - started ))
[ "$status" = 0 ] || { cat "$log" >&2; fail "exit status $status after SIGTERM"; }
echo "container: clean exit ${took} s after SIGTERM (bound ${shutdown_bound} s)"

# Written outside /data: anything in the container's own filesystem newer than the start.
written=$(find "$root" -xdev -newer "$marker" -not -path "$root/tmp/*" -not -path "$root/tmp" \
  -not -path "$root/data" -not -path "$root/proc*" -not -path "$root/dev*" -not -path "$root/sys*" -not -path "$root/run*" \
  -not -path "$root/etc/resolv.conf" -not -path "$root/etc/hosts" -not -path "$root/etc/hostname" | head -n 20)
[ -z "$written" ] || fail "the service wrote outside /data: $written"
# The image declares VOLUME /data, so buildah gives the container an anonymous volume there, as a
# container runtime would (buildah 1.28 lets it override a bind mount, so none is given).
[ -f "$volume/margo-bridge.db" ] || fail "no database was written under /data"
echo "container: wrote only under /data ($(ls -A "$volume" | tr '\n' ' '))"
echo "container: 10 passed, 0 failed"
