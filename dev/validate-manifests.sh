#!/usr/bin/env bash
# Validates deploy/kubernetes/*.yaml offline against the Kubernetes API schemas (strict: unknown
# fields are errors), with kubernetes-validate from PyPI (dev/setup.sh installs it).
#
#   dev/validate-manifests.sh            # Kubernetes 1.35
#   K8S_VERSION=1.35.0 dev/validate-manifests.sh
set -euo pipefail
cd "$(dirname "$0")/.."
K8S_VERSION=${K8S_VERSION:-1.35.0}
command -v kubernetes-validate >/dev/null || { echo "kubernetes-validate is missing: pip install kubernetes-validate" >&2; exit 1; }
kubernetes-validate --strict -k "$K8S_VERSION" deploy/kubernetes/*.yaml
