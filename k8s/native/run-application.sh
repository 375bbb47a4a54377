#!/usr/bin/env bash
# SimpleQuery on native Kubernetes, without the operator:
#
#   FLINK_HOME=/path/to/flink-2.3.0 k8s/native/run-application.sh FLAVOR [KEY_URI INPUT OUTPUT]
#
# FLAVOR is ack-tdx (TaskManagers on TDX-VM node pools, kbs:// with configfs-tsm evidence),
# coco-tdx (TaskManagers in Confidential Containers, cdh://) or dev (NO TEE: simulated
# attestation and the development key broker; development only). The cluster comes from
# kubectl's configuration (KUBECONFIG or ~/.kube/config); apply `kubectl apply -k k8s/native`
# first. Extra Flink options: PPML_FLINK_OPTS="-Dkey=value ...".
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
flavor="${1:?usage: run-application.sh ack-tdx|coco-tdx|dev [KEY_URI INPUT OUTPUT]}"
shift
case "$flavor" in
  ack-tdx)
    key_uri_default="kbs://kbs.trustee.svc.cluster.local:8080/default/key/people"
    key_service=(-Dppml.key-service.kbs.tee=tdx
      -Dppml.key-service.kbs.evidence-location=/host/sys/kernel/config/tsm
      -Dppml.key-service.kbs.ca-cert=/etc/ppml/kbs-ca/ca.pem)
    ;;
  coco-tdx)
    key_uri_default="cdh://default/key/people"
    key_service=()
    ;;
  dev)
    echo "run-application.sh: DEVELOPMENT ONLY - NOT SECURE: simulated attestation (sample TEE)" \
      "and the development key broker; never use it for real data" >&2
    key_uri_default="kbs://127.0.0.1:8080/default/key/people"
    key_service=(-Dppml.key-service.kbs.tee=sample -Dppml.key-service.kbs.plaintext-http=true)
    ;;
  *)
    echo "run-application.sh: unknown flavor '$flavor'; expected ack-tdx, coco-tdx or dev" >&2
    exit 2
    ;;
esac
key_uri="${1:-$key_uri_default}"
input="${2:-oss://ppml-data/people-encrypted}"
output="${3:-oss://ppml-data/simple-query-result}"

# every "key: value" line of the common and the flavor's options, as -Dkey=value
flink_options=()
while IFS= read -r line; do
  case "$line" in ''|'#'*) continue ;; esac
  flink_options+=("-D${line%%: *}=${line#*: }")
done < <(cat "$here/config/common.yaml" "$here/config/$flavor.yaml")

# shellcheck disable=SC2086
# Flink 2.x has no separate run-application action: `flink run --target kubernetes-application`
# deploys an application cluster (Flink 1.x: `flink run-application --target ...`).
exec "${FLINK_HOME:?set FLINK_HOME to a Flink 2.3 distribution}/bin/flink" run \
  --target kubernetes-application \
  "${flink_options[@]}" \
  -Dkubernetes.pod-template-file.jobmanager="$here/pod-templates/jobmanager.yaml" \
  -Dkubernetes.pod-template-file.taskmanager="$here/pod-templates/taskmanager-$flavor.yaml" \
  ${PPML_FLINK_OPTS:-} \
  -c dev.ppml.jobs.SimpleQuery \
  local:///opt/flink/usrlib/flink-ppml-jobs-0.1.0-SNAPSHOT.jar \
  --key-uri "$key_uri" --input "$input" --output "$output" "${key_service[@]}"
