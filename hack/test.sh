#!/usr/bin/env bash
# Every test labctl has: static checks, unit tests, then the end-to-end suite,
# which creates a real kind cluster with labctl's own `up` on the local
# container runtime and deletes it at the end.
#
#   ./hack/test.sh            # all of it
#   ./hack/test.sh unit       # static checks + unit tests only (no Docker needed)
#
# LABCTL_NODE_IMAGE selects the node image (default: labctl's pinned kindest/node).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s\n' "$*"; }

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [[ -n "$unformatted" ]]; then echo "gofmt would change:"; echo "$unformatted"; exit 1; fi

step "go vet"
go vet ./...
go vet -tags e2e ./e2e/
# Students run labctl on macOS and Windows too: their code must at least
# type-check there, tests included.
GOOS=darwin go vet ./...
GOOS=windows go vet ./...

step "staticcheck"
# Pinned, from the Go module proxy; .ci/run installs the same version. Any
# finding fails the run.
staticcheck_version=v0.8.2
sc="$(go env GOPATH)/bin/staticcheck"
if ! "$sc" -version 2>/dev/null | grep -q "${staticcheck_version#v}"; then
  go install "honnef.co/go/tools/cmd/staticcheck@$staticcheck_version"
fi
"$sc" ./...

step "unit tests (race detector)"
# -race runs every unit test with the race detector: the TUI, the proxy core
# and the verifier are concurrent, and a data race there is a bug even when
# the test's assertions pass.
go test -race -count=1 ./...

if [[ "${1:-all}" == "unit" ]]; then exit 0; fi

step "end-to-end (real kind cluster)"
go test -tags e2e -count=1 -v -timeout 60m ./e2e/
