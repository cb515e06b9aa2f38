#!/usr/bin/env bash
# Every test, on a fresh Debian machine as root: installs what is needed, starts the Docker engine
# (stopped again at the end if this script started it), builds the test images (cached under
# /var/cache/confine-test-images), then runs `npm test` with engine tests required, not skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/dockerd.sh start
trap 'bash scripts/dockerd.sh stop' EXIT
bash e2e/images/build.sh
export CONFINE_REQUIRE_ENGINE=1
npm test
