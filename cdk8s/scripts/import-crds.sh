#!/usr/bin/env bash
# Regenerates cdk8s/imports from the pinned cert-manager CRDs kept in cdk8s/crds.
# Offline: the CRD files are committed; to move to a new cert-manager version, fetch the
# module source with `go mod download -json github.com/cert-manager/cert-manager@vX.Y.Z`,
# copy deploy/crds/cert-manager.io_{certificates,clusterissuers}.yaml from its "Dir" into
# cdk8s/crds/cert-manager-vX.Y.Z/ (keep the licence header), and update CERT_MANAGER below.
# Usage: scripts/import-crds.sh [output-dir]   (default: imports; tests pass a temp dir)
set -euo pipefail
cd "$(dirname "$0")/.."
CERT_MANAGER=cert-manager-v1.21.2
OUT=${1:-imports}
export CDK8S_CHECK_UPGRADE=false
mkdir -p "$OUT"
rm -f "$OUT"/cert-manager-*.ts
for kind in certificates clusterissuers; do
  npx cdk8s import "cert-manager-${kind}:=crds/${CERT_MANAGER}/cert-manager.io_${kind}.yaml" \
    --language typescript --output "$OUT" --no-check-upgrade
done
# The generated files import interfaces as values; our compiler settings
# (verbatimModuleSyntax) need type-only imports for them.
for file in "$OUT"/cert-manager-*.ts; do
  sed -i \
    -e "s/^import { ApiObject, ApiObjectMetadata, GroupVersionKind } from 'cdk8s';/import { ApiObject, type ApiObjectMetadata, type GroupVersionKind } from 'cdk8s';/" \
    -e "s/^import { Construct } from 'constructs';/import type { Construct } from 'constructs';/" \
    "$file"
done
