#!/usr/bin/env bash
# Puts the image's inputs, as the Maven build produced them, into a Docker build context:
#   k8s/docker/target/context/{Dockerfile, the oss:// plugin jar, the jobs jar}
# Run it after `./mvnw -B -DskipTests package` at the repository root.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# the project version: the first <version> of the root pom (it has no parent)
version="${PPML_VERSION:-$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$root/pom.xml" | head -n 1)}"
context="${1:-$here/target/context}"

artifacts=(
  "flink-ppml-oss-fs/target/flink-ppml-oss-fs-${version}-plugin.jar"
  "flink-ppml-jobs/target/flink-ppml-jobs-${version}.jar"
)

rm -rf "$context"
mkdir -p "$context"
for artifact in "${artifacts[@]}"; do
  if [ ! -f "$root/$artifact" ]; then
    echo "build-context.sh: $artifact is missing; build it first: ./mvnw -B -DskipTests package" >&2
    exit 1
  fi
  cp "$root/$artifact" "$context/"
done
cp "$here/Dockerfile" "$context/"
echo "build context in $context; now: docker build --build-arg PPML_VERSION=$version -t flink-ppml:$version $context"
