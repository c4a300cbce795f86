#!/usr/bin/env bash
# Installs the face-recognition network's weights for the validator (face_match,
# face_duplicate): dlib's ResNet face-recognition model (dlib_face_recognition_resnet_model_v1)
# as the npm package @vladmandic/face-api 1.7.15 ships it (MIT; TF.js weights),
# plus the package's own TF.js build, which the tests use as the reference
# implementation. Fetched once at install time with `npm pack` (straight from the
# registry when npm is absent) and checked against pinned SHA-256 digests; the
# validator never downloads anything. Safe to run again.
#   DEST: ${GRADCAP_FACE_MODEL_DIR:-/usr/local/share/gradcap/face-api-1.7.15}
set -euo pipefail
DEST=${GRADCAP_FACE_MODEL_DIR:-/usr/local/share/gradcap/face-api-1.7.15}
TGZ_SHA256=0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031
BIN_SHA256=b413e420d6840b2775fba32008db6f3cddb07d485967fb42cfcf379c16a8c589
MANIFEST_SHA256=cbaffa501b0b9275a12b63357a6843e7e30c054e1c9151e1a5f879b26e32986b

installed_ok() {
  [ -f "$DEST/.complete" ] &&
    echo "$BIN_SHA256  $DEST/model/face_recognition_model.bin" | sha256sum -c --quiet 2>/dev/null &&
    echo "$MANIFEST_SHA256  $DEST/model/face_recognition_model-weights_manifest.json" | sha256sum -c --quiet 2>/dev/null
}
if installed_ok; then
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
if command -v npm >/dev/null 2>&1; then
  npm pack @vladmandic/face-api@1.7.15 --silent >/dev/null 2>&1 || npm pack @vladmandic/face-api@1.7.15 >/dev/null
else
  curl -fsSL -o vladmandic-face-api-1.7.15.tgz \
    https://registry.npmjs.org/@vladmandic/face-api/-/face-api-1.7.15.tgz
fi
if ! echo "$TGZ_SHA256  vladmandic-face-api-1.7.15.tgz" | sha256sum -c --quiet; then
  echo "install-face-model: the downloaded @vladmandic/face-api 1.7.15 tarball does not have the pinned digest" >&2
  exit 1
fi
tar -xzf vladmandic-face-api-1.7.15.tgz
rm -rf "$DEST.new"
mkdir -p "$DEST.new/model" "$DEST.new/dist"
cp package/model/face_recognition_model.bin package/model/face_recognition_model-weights_manifest.json "$DEST.new/model/"
cp package/dist/face-api.esm.js "$DEST.new/dist/"
cp package/LICENSE package/package.json "$DEST.new/"
touch "$DEST.new/.complete"
rm -rf "$DEST"
mv "$DEST.new" "$DEST"
installed_ok
echo "install-face-model: face-recognition weights in $DEST/model"
