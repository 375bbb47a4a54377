#!/usr/bin/env bash
# Prints the value of the pod annotation io.katacontainers.config.hypervisor.cc_init_data for
# initdata.toml (gzip, then standard base64 on one line) and the SHA-384 the TD will carry in
# MRCONFIGID, which kbs-resource-policy.rego must pin.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
file="${1:-$here/initdata.toml}"
echo "cc_init_data: $(gzip -9 -n -c "$file" | base64 -w0)"
echo "mr_config_id: $(sha384sum "$file" | cut -d' ' -f1)"
