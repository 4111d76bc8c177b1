#!/usr/bin/env bash
# Installs what clustr-node's build, tests and examples need on a machine that has only Node 20
# and npm: the pinned pnpm, the workspace's dependencies (frozen lockfile), and redis-server
# (Debian's package) when it is missing, because the Redis tests start their own servers.
set -euo pipefail
cd "$(dirname "$0")/.."

want=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ "$(pnpm --version 2>/dev/null || true)" != "$want" ]; then
  echo "setup: installing pnpm@$want with npm"
  npm install -g "pnpm@$want" >/dev/null
fi

if ! command -v redis-server >/dev/null 2>&1; then
  echo "setup: installing redis-server (Debian) for the Redis tests"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server redis-tools >/dev/null
fi
if ! command -v taskset >/dev/null 2>&1; then
  echo "setup: taskset is missing: CPU pinning tests expect ERR_CLUSTR_AFFINITY_UNSUPPORTED" >&2
fi

pnpm install --frozen-lockfile
