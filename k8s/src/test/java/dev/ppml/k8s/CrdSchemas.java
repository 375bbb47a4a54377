package dev.ppml.k8s;

import dev.ppml.k8s.testutils.Project;
import dev.ppml.k8s.testutils.StructuralSchemaValidator;

/** The Flink Kubernetes Operator CRDs under src/test/resources/crds (see the README there). */
final class CrdSchemas {
    static final StructuralSchemaValidator FLINK_DEPLOYMENT =
            StructuralSchemaValidator.fromCrd(
                    Project.k8sDir()
                            .resolve(
                                    "src/test/resources/crds/flinkdeployments.flink.apache.org-v1.yml"));
    static final StructuralSchemaValidator FLINK_SESSION_JOB =
            StructuralSchemaValidator.fromCrd(
                    Project.k8sDir()
                            .resolve(
                                    "src/test/resources/crds/flinksessionjobs.flink.apache.org-v1.yml"));

    private CrdSchemas() {}

    /** The validator for a resource's kind, or null when it is not an operator resource. */
    static StructuralSchemaValidator forKind(String kind) {
        switch (kind) {
            case "FlinkDeployment":
                return FLINK_DEPLOYMENT;
            case "FlinkSessionJob":
                return FLINK_SESSION_JOB;
            default:
                return null;
        }
    }
}
