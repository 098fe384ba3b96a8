#!/usr/bin/env bash
# LineTint.app -> a drag-to-Applications .dmg, signed and notarized when the secrets are there.
#
#   packaging/macos/make_dmg.sh dist/LineTint.app X.Y.Z dist/LineTint-X.Y.Z-macos-arm64.dmg
#
# packaging/build.py calls it on macOS with pyproject's version. Signing and notarization run only when
# their environment variables are set (in CI: repository secrets), and are skipped with a message if not:
#   MACOS_SIGN_IDENTITY   a "Developer ID Application: ..." identity in the keychain
#   APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD   an Apple ID, its team and an app-specific password
set -euo pipefail

app=${1:?usage: make_dmg.sh APP VERSION OUT.dmg}
version=${2:?usage: make_dmg.sh APP VERSION OUT.dmg}
out=${3:?usage: make_dmg.sh APP VERSION OUT.dmg}
here=$(cd "$(dirname "$0")" && pwd)

[ -d "$app" ] || { echo "make_dmg: no $app (run python packaging/build.py)" >&2; exit 1; }
shown=$(/usr/libexec/PlistBuddy -c "Print :CFBundleShortVersionString" "$app/Contents/Info.plist")
[ "$shown" = "$version" ] || { echo "make_dmg: $app says version $shown, expected $version" >&2; exit 1; }

identity=${MACOS_SIGN_IDENTITY:-}
if [ -n "$identity" ]; then
  echo "make_dmg: signing with $identity (hardened runtime)"
  # Inside out: every library and executable, then the bundle itself.
  find "$app/Contents" -type f \( -name "*.dylib" -o -name "*.so" -o -perm -u+x \) -print0 |
    xargs -0 codesign --force --timestamp --options runtime --sign "$identity"
  codesign --force --timestamp --options runtime --entitlements "$here/entitlements.plist" \
    --sign "$identity" "$app"
  codesign --verify --deep --strict --verbose=2 "$app"
else
  echo "make_dmg: MACOS_SIGN_IDENTITY is not set: the app stays ad-hoc signed and Gatekeeper will" \
    "ask users to right-click > Open the first time"
fi

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"
rm -f "$out"
hdiutil create -volname "LineTint $version" -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$out"

if [ -n "$identity" ]; then
  codesign --force --timestamp --sign "$identity" "$out"
  if [ -n "${APPLE_ID:-}" ] && [ -n "${APPLE_TEAM_ID:-}" ] && [ -n "${APPLE_APP_PASSWORD:-}" ]; then
    echo "make_dmg: notarizing $out"
    xcrun notarytool submit "$out" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
      --password "$APPLE_APP_PASSWORD" --wait
    xcrun stapler staple "$out"
  else
    echo "make_dmg: APPLE_ID / APPLE_TEAM_ID / APPLE_APP_PASSWORD not all set: signed but not notarized"
  fi
else
  echo "make_dmg: not signed, so not notarized"
fi
echo "make_dmg: $out"
