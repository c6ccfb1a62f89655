#!/bin/sh
# Runs one conformance test file with node's built-in test runner, after checking that what it needs is here.
#
#   run-node-test.sh pubsub.test.js | bigquery.test.js | gcloud.test.js | differential.test.js
#
# Needs AQ_SERVER_BIN (the aqueduct-server binary; ctest sets it). Per file it also needs:
#   pubsub.test.js, bigquery.test.js   node >= 20 and the npm packages: npm ci --prefix tests/conformance/node
#   gcloud.test.js                     node >= 20 and the gcloud CLI
#   differential.test.js               node >= 20, gcloud, java and Google's Pub/Sub emulator component
# Nothing is downloaded here. When a tool is missing the test is skipped (exit 77, ctest's SKIP_RETURN_CODE),
# except with CI=true, where a missing tool is a failure (exit 1): CI must really run these.
set -u

here=$(cd "$(dirname "$0")" && pwd)
name=${1:-}
[ -n "$name" ] || { echo "usage: $0 TEST_FILE" >&2; exit 2; }
shift

missing() {
    if [ "${CI:-}" = "true" ]; then
        echo "FAIL: conformance test $name cannot run: $1 (CI=true: missing tools are a failure)" >&2
        exit 1
    fi
    echo "SKIP: conformance test $name: $1"
    exit 77
}

case "$name" in
    pubsub.test.js|bigquery.test.js) file="$here/node/$name"; needs="node modules" ;;
    gcloud.test.js)                  file="$here/$name";      needs="node gcloud" ;;
    differential.test.js)            file="$here/$name";      needs="node gcloud emulator" ;;
    *) echo "$0: unknown conformance test '$name'" >&2; exit 2 ;;
esac

if [ -z "${AQ_SERVER_BIN:-}" ] || [ ! -x "$AQ_SERVER_BIN" ]; then
    # Not a missing tool but a broken set-up: never a skip.
    echo "FAIL: AQ_SERVER_BIN='${AQ_SERVER_BIN:-}' is not an executable aqueduct-server" >&2
    exit 1
fi

for need in $needs; do
    case "$need" in
        node)
            command -v node >/dev/null 2>&1 || missing "node is not installed (Node.js 20 or newer is needed)"
            node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' 2>/dev/null ||
                missing "node $(node --version 2>/dev/null) is too old (20 or newer is needed)"
            ;;
        modules)
            [ -d "$here/node/node_modules" ] ||
                missing "the npm packages are not installed: run 'npm ci --prefix tests/conformance/node'"
            # The installed versions must be the pinned ones.
            problem=$(cd "$here/node" && node -e '
                const pins = require("./package.json").dependencies;
                const bad = [];
                for (const [p, v] of Object.entries(pins)) {
                    let got = "missing";
                    try { got = JSON.parse(require("fs").readFileSync(`node_modules/${p}/package.json`, "utf8")).version; } catch {}
                    if (got !== v) bad.push(`${p} ${got} (pinned ${v})`);
                }
                process.stdout.write(bad.join(", "));' 2>&1)
            [ -z "$problem" ] ||
                missing "npm packages not as pinned: $problem; run 'npm ci --prefix tests/conformance/node'"
            ;;
        gcloud)
            command -v gcloud >/dev/null 2>&1 || missing "the gcloud CLI is not installed"
            ;;
        emulator)
            command -v java >/dev/null 2>&1 || missing "java is not installed (Google's Pub/Sub emulator needs it)"
            sdk=$(dirname "$(readlink -f "$(command -v gcloud)")")/..
            if [ ! -d "$sdk/platform/pubsub-emulator" ] && [ ! -d /usr/lib/google-cloud-sdk/platform/pubsub-emulator ]; then
                missing "Google's Pub/Sub emulator is not installed (Debian: google-cloud-cli-pubsub-emulator)"
            fi
            ;;
    esac
done

cd "$(dirname "$file")" || exit 1
exec node --test --test-reporter=spec "$@" "$(basename "$file")"
