#!/bin/sh
# Rebuild the vendored GOV.UK Frontend (docs/ui.md, "Updating the design system").
# Needs node/npm and the npm registry; the output is committed, so nothing here runs at install.
set -eu
VERSION=${1:-6.6.0}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT="$HERE/../static/vendor/govuk-frontend"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
npm pack "govuk-frontend@$VERSION" >/dev/null
tar xzf "govuk-frontend-$VERSION.tgz"
npx --yes sass@1.108.2 --no-source-map --style=compressed --quiet-deps --load-path=package/dist \
  "$HERE/govuk-klaster.scss" "$OUT/govuk-frontend.min.css"
# the classic-script bundle (window.GOVUKFrontend): no ES-module import for the hashed static names
cp package/dist/govuk/all.bundle.js "$OUT/govuk-frontend.js"
# the source map's reference is dropped: it would be served as a 404
sed -i 's,//# sourceMappingURL=.*$,,' "$OUT/govuk-frontend.js"
echo "$VERSION" > "$OUT/VERSION"
