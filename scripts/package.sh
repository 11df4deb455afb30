#!/usr/bin/env bash
# The .deb people install (target/dist/bundle/deb/): Tauri's bundle of the app (profile dist),
# then `/usr/bin/keepsake` added as a link to `/usr/bin/keepsake-app`: one binary is both the app
# and the command (src-tauri/src/main.rs), so the engine, the storage services and TLS are in the
# package once. Tauri's bundler copies the files it is given (a link would become a second copy of
# the binary), so the link is added to the unpacked package, which is then packed again with the
# installed size recounted.
set -euo pipefail
cd "$(dirname "$0")/.."
TAURI_APP_PATH=src-tauri npx tauri build --bundles deb -- --profile dist
DEB=$(ls -t target/dist/bundle/deb/*.deb | head -1)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
dpkg-deb -R "$DEB" "$WORK/root"
ln -sfn keepsake-app "$WORK/root/usr/bin/keepsake"
installed=$(du -sk --apparent-size --exclude=DEBIAN "$WORK/root" | cut -f1)
sed -i "s/^Installed-Size:.*/Installed-Size: $installed/" "$WORK/root/DEBIAN/control"
dpkg-deb --root-owner-group -Zxz --build "$WORK/root" "$DEB.new" >/dev/null
mv "$DEB.new" "$DEB"
echo "package: $DEB ($(du -h "$DEB" | cut -f1), installed $installed KiB)"
