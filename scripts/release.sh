#!/usr/bin/env bash
# Builds the release binaries of personajudge: static (CGO_ENABLED=0; the
# SQLite driver is pure Go), reproducible paths (-trimpath), the version
# stamped in (personajudge --version), for linux and darwin on amd64 and
# arm64, and a SHA256SUMS file over them.
#
#   scripts/release.sh [VERSION]     # default: git describe, else "dev"
#   DIST=out TARGETS="linux/amd64" scripts/release.sh v0.3.0
#
# Verify a download with: sha256sum -c --ignore-missing SHA256SUMS
set -euo pipefail
cd "$(dirname "$0")/.."

version="${1:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}"
dist="${DIST:-dist}"
targets="${TARGETS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64}"

case "$version" in
  *[!A-Za-z0-9._+-]*) echo "release.sh: version $version: only letters, digits and ._+- please" >&2; exit 2 ;;
esac

mkdir -p "$dist"
names=()
for target in $targets; do
  goos="${target%/*}" goarch="${target#*/}"
  name="personajudge_${version}_${goos}_${goarch}"
  echo "building $name"
  CGO_ENABLED=0 GOOS="$goos" GOARCH="$goarch" go build -trimpath \
    -ldflags "-s -w -X main.version=$version" -o "$dist/$name" ./cmd/personajudge
  names+=("$name")
done

(
  cd "$dist"
  if command -v sha256sum >/dev/null; then
    sha256sum "${names[@]}" > SHA256SUMS
  else
    shasum -a 256 "${names[@]}" > SHA256SUMS # macOS
  fi
)
echo "wrote $dist/SHA256SUMS"
cat "$dist/SHA256SUMS"
