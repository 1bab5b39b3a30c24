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

step "unit tests"
go test -count=1 ./...

if [[ "${1:-all}" == "unit" ]]; then exit 0; fi

step "end-to-end (real kind cluster)"
go test -tags e2e -count=1 -v -timeout 60m ./e2e/
