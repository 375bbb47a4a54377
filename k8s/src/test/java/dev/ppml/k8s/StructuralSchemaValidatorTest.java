package dev.ppml.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ppml.k8s.testutils.Yaml;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The validator the manifest tests rely on rejects what the API server would: unknown fields, wrong
 * types, values outside an enum; and accepts int-or-string and preserved unknown fields.
 */
class StructuralSchemaValidatorTest {

    private static final String VALID =
            String.join(
                    "\n",
                    "apiVersion: flink.apache.org/v1beta1",
                    "kind: FlinkDeployment",
                    "metadata:",
                    "  name: t",
                    "spec:",
                    "  image: flink:2.3.0-java17",
                    "  flinkVersion: v2_3",
                    "  serviceAccount: flink",
                    "  flinkConfiguration:",
                    "    any.flink.option: \"1\"",
                    "  jobManager:",
                    "    resource: {cpu: 1, memory: 1024m}",
                    "  taskManager:",
                    "    replicas: 2",
                    "    resource: {cpu: 1, memory: 1024m}",
                    "    podTemplate:",
                    "      spec:",
                    "        runtimeClassName: kata-qemu-tdx",
                    "        containers:",
                    "          - name: flink-main-container",
                    "            livenessProbe:",
                    "              httpGet: {port: 8081}",
                    "  job:",
                    "    jarURI: local:///opt/flink/usrlib/x.jar",
                    "    args: [--a, b]",
                    "    upgradeMode: savepoint",
                    "");

    private static ObjectNode valid() {
        return (ObjectNode) Yaml.documents(VALID).get(0);
    }

    private static List<String> errors(JsonNode resource) {
        return CrdSchemas.FLINK_DEPLOYMENT.validate(resource);
    }

    @Test
    void aValidDeploymentPasses() {
        assertThat(errors(valid())).isEmpty();
    }

    @Test
    void unknownFieldsAreRejectedAtEveryLevel() {
        ObjectNode top = valid();
        ((ObjectNode) top.get("spec")).put("flinkVersoin", "v2_3");
        assertThat(errors(top)).anySatisfy(e -> assertThat(e).contains("flinkVersoin"));

        ObjectNode inContainer = valid();
        ((ObjectNode) inContainer.at("/spec/taskManager/podTemplate/spec/containers/0"))
                .put("runtimeClassName", "kata-qemu-tdx");
        assertThat(errors(inContainer))
                .anySatisfy(
                        e -> assertThat(e).contains("containers[0]").contains("runtimeClassName"));

        ObjectNode inResource = valid();
        ((ObjectNode) inResource.at("/spec/taskManager/resource")).put("memroy", "1g");
        assertThat(errors(inResource)).anySatisfy(e -> assertThat(e).contains("memroy"));
    }

    @Test
    void wrongTypesAndEnumValuesAreRejected() {
        ObjectNode replicas = valid();
        ((ObjectNode) replicas.at("/spec/taskManager")).put("replicas", "two");
        assertThat(errors(replicas)).anySatisfy(e -> assertThat(e).contains("replicas"));

        ObjectNode args = valid();
        ((ObjectNode) args.at("/spec/job")).put("args", "--a b");
        assertThat(errors(args)).anySatisfy(e -> assertThat(e).contains("args"));

        ObjectNode version = valid();
        ((ObjectNode) version.get("spec")).put("flinkVersion", "v2_9");
        assertThat(errors(version)).anySatisfy(e -> assertThat(e).contains("flinkVersion"));

        ObjectNode mode = valid();
        ((ObjectNode) mode.at("/spec/job")).put("upgradeMode", "exactly-once");
        assertThat(errors(mode)).anySatisfy(e -> assertThat(e).contains("upgradeMode"));
    }

    @Test
    void intOrStringTakesBothButNothingElse() {
        ObjectNode named = valid();
        ((ObjectNode)
                        named.at(
                                "/spec/taskManager/podTemplate/spec/containers/0/livenessProbe/httpGet"))
                .put("port", "rest");
        assertThat(errors(named)).isEmpty();

        ObjectNode bool = valid();
        ((ObjectNode)
                        bool.at(
                                "/spec/taskManager/podTemplate/spec/containers/0/livenessProbe/httpGet"))
                .put("port", true);
        assertThat(errors(bool)).anySatisfy(e -> assertThat(e).contains("port"));
    }

    @Test
    void preservedUnknownFieldsStayOpen() {
        ObjectNode conf = valid();
        ((ObjectNode) conf.at("/spec/flinkConfiguration")).putObject("nested").put("a", 1);
        assertThat(errors(conf)).isEmpty();
    }

    @Test
    void kindAndApiVersionMustMatchTheCrd() {
        ObjectNode other = valid();
        other.put("kind", "FlinkSessionJob");
        assertThat(errors(other)).anySatisfy(e -> assertThat(e).startsWith("$.kind"));
        ObjectNode v1 = valid();
        v1.put("apiVersion", "flink.apache.org/v1");
        assertThat(errors(v1)).anySatisfy(e -> assertThat(e).startsWith("$.apiVersion"));
    }

    @Test
    void theSessionJobSchemaIsStrictToo() {
        JsonNode job =
                Yaml.documents(
                                String.join(
                                        "\n",
                                        "apiVersion: flink.apache.org/v1beta1",
                                        "kind: FlinkSessionJob",
                                        "metadata: {name: j}",
                                        "spec:",
                                        "  deploymentName: s",
                                        "  job: {jarURI: 'https://h/x.jar', parallelism: 2}",
                                        ""))
                        .get(0);
        assertThat(CrdSchemas.FLINK_SESSION_JOB.validate(job)).isEmpty();
        ((ObjectNode) job.get("spec")).putObject("taskManager");
        ((ObjectNode) job.at("/spec/job")).putArray("args").add(1);
        assertThat(CrdSchemas.FLINK_SESSION_JOB.validate(job))
                .anySatisfy(e -> assertThat(e).contains("taskManager"))
                .anySatisfy(e -> assertThat(e).contains("args[0]"));
    }
}
