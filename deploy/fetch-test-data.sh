#!/usr/bin/env bash
# Unpacks real QR and barcode images that Debian packages ship (without
# installing the packages) for the decode corpus test:
#   libgd-barcode-perl  examples/QRcode.png ("123456789012"), QRCode/*.png ("AAAAAAAAAA"), 1-D barcodes
#   librust-qrcode-dev  test_annex_i_qr_as_image.png ("01234567"), a Micro QR
# into ${GRADCAP_TEST_DATA:-/var/cache/gradcap/test-data}/debian. Safe to run again.
set -euo pipefail
DEST=${GRADCAP_TEST_DATA:-/var/cache/gradcap/test-data}
if [ -f "$DEST/debian/.complete" ]; then
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
chmod 777 "$work"
if ! apt-get download libgd-barcode-perl librust-qrcode-dev >/dev/null 2>&1; then
  apt-get update -qq
  apt-get download libgd-barcode-perl librust-qrcode-dev >/dev/null
fi
mkdir -p "$DEST/debian"
for deb in ./*.deb; do dpkg-deb -x "$deb" "$DEST/debian"; done
touch "$DEST/debian/.complete"
echo "fetch-test-data: Debian sample images in $DEST/debian"
