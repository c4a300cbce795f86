#!/usr/bin/env bash
# Installs (as root, with apt) every Debian 12 package gradcap needs to build,
# test and run, skipping what is already there. Safe to run again.
set -euo pipefail

PACKAGES=(
  # toolchain
  g++ cmake ninja-build pkg-config ccache git
  # libraries
  libzmq3-dev cppzmq-dev
  libprotobuf-dev protobuf-compiler
  librocksdb-dev
  libabsl-dev
  libsodium-dev libssl-dev tzdata
  libopencv-dev libzxing-dev opencv-data
  libdlib-dev libdlib-data
  # dlib's DNN does its convolutions through BLAS: OpenBLAS (single-threaded) instead
  # of the reference BLAS takes the face-recognition network from ~300 to ~35 ms a face
  libopenblas0-serial
  # the supervisor view (HTTP: Boost.Beast; JSON)
  libboost-dev nlohmann-json3-dev
  # tests (curl: the photo corpus's npm sources when npm is absent; chromium and
  # node: the supervisor page in a headless browser; a CJK font for its screenshots)
  libgtest-dev libgmock-dev curl ca-certificates
  chromium nodejs fonts-wqy-zenhei
  # deploy/check-deploy.sh: systemd-analyze verify on the units
  systemd
  # fuzz/: libFuzzer targets built with Debian's clang 14 (libFuzzer itself is in libclang-rt-14-dev)
  clang libclang-rt-14-dev
)
# npm: Debian's package, unless node already brings its own (a nodejs build
# that bundles npm conflicts with Debian's npm package).
if ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(npm)
fi

# The browser test's driver, pinned in tests/browser/package-lock.json
# (playwright-core only: it drives Debian's chromium; no browser download).
install_browser_driver() {
  local dir
  dir="$(cd "$(dirname "$0")/.." && pwd)/tests/browser"
  if [ -d "$dir/node_modules/playwright-core" ] &&
     grep -q "\"version\": \"$(sed -n 's/.*"playwright-core": "\(.*\)".*/\1/p' "$dir/package.json")\"" \
       "$dir/node_modules/playwright-core/package.json"; then
    return 0
  fi
  echo "install-deps: npm ci in tests/browser (playwright-core)"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
}

# deploy/check-deploy.sh's Kubernetes schema check, pinned in deploy/check/package-lock.json
# (kubernetes-models: the API's schemas as validators; js-yaml).
install_deploy_check() {
  local dir
  dir="$(cd "$(dirname "$0")" && pwd)/check"
  if [ -d "$dir/node_modules/kubernetes-models" ] &&
     grep -q '"version": "4.5.1"' "$dir/node_modules/kubernetes-models/package.json"; then
    return 0
  fi
  echo "install-deps: npm ci in deploy/check (kubernetes-models)"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
}

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# The face-recognition network's weights (npm @vladmandic/face-api, pinned digests).
install_face_model() {
  "$(cd "$(dirname "$0")" && pwd)/install-face-model.sh"
}

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  install_browser_driver
  install_deploy_check
  install_face_model
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
install_browser_driver
install_deploy_check
install_face_model
