package dev.ppml.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ppml.k8s.testutils.KubeConfigs;
import dev.ppml.k8s.testutils.Project;
import dev.ppml.k8s.testutils.Trees;
import dev.ppml.k8s.testutils.Yaml;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.kubernetes.shaded.io.fabric8.kubernetes.api.model.ConfigMap;
import org.apache.flink.kubernetes.shaded.io.fabric8.kubernetes.api.model.PodSpec;
import org.apache.flink.kubernetes.shaded.io.fabric8.kubernetes.api.model.Service;
import org.apache.flink.kubernetes.shaded.io.fabric8.kubernetes.api.model.apps.Deployment;
import org.apache.flink.kubernetes.shaded.io.fabric8.kubernetes.client.ConfigBuilder;
import org.apache.flink.kubernetes.shaded.io.fabric8.kubernetes.client.KubernetesClient;
import org.apache.flink.kubernetes.shaded.io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code k8s/native/run-application.sh} runs {@code flink run-application --target
 * kubernetes-application} with our options and pod templates, in a child JVM through Flink's real
 * deployment code ({@code CliFrontend} -> {@code KubernetesClusterClientFactory} -> {@code
 * deployApplicationCluster}), against fabric8's Kubernetes mock server in CRUD mode on loopback.
 * Only {@code bin/flink} is replaced, by the one line it amounts to: {@code java -cp <Flink>
 * CliFrontend "$@"}. What the "cluster" then holds is what a real API server would get.
 */
class NativeRunApplicationITCase {
    private static final String CLUSTER_ID = "simple-query";
    private static final String NAMESPACE = "ppml";

    @TempDir Path tmp;
    private KubernetesMockServer server;
    private KubernetesClient client;

    @BeforeEach
    void startApiServer() {
        server =
                new KubernetesMockServer(
                        new Context(),
                        new MockWebServer(),
                        new HashMap<>(),
                        new KubernetesCrudDispatcher(List.of()),
                        false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client =
                new KubernetesClientBuilder()
                        .withConfig(
                                new ConfigBuilder()
                                        .withMasterUrl(apiUrl())
                                        .withNamespace(NAMESPACE)
                                        .build())
                        .build();
    }

    @AfterEach
    void stopApiServer() {
        client.close();
        server.destroy();
    }

    private String apiUrl() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** A stand-in for a Flink distribution's bin/flink: the same CliFrontend, our class path. */
    private Path flinkHome() throws IOException {
        Path home = tmp.resolve("flink");
        Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/config.yaml"), "");
        Files.writeString(
                home.resolve("conf/log4j-cli.properties"),
                String.join(
                        "\n",
                        "rootLogger.level = INFO",
                        "rootLogger.appenderRef.console.ref = console",
                        "appender.console.name = console",
                        "appender.console.type = CONSOLE",
                        "appender.console.layout.type = PatternLayout",
                        "appender.console.layout.pattern = %-5p %c{1} - %m%n",
                        ""));
        Path flink = home.resolve("bin/flink");
        Files.writeString(
                flink,
                String.join(
                        "\n",
                        "#!/usr/bin/env bash",
                        "exec \"$PPML_TEST_JAVA\" -Xmx512m -cp \"$PPML_TEST_CLASSPATH\" \\",
                        "  -Dlog4j.configurationFile=\"$FLINK_CONF_DIR/log4j-cli.properties\" \\",
                        "  org.apache.flink.client.cli.CliFrontend \"$@\"",
                        ""));
        Files.setPosixFilePermissions(flink, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }

    private String runApplication(String flavor) throws Exception {
        Path home = flinkHome();
        Path kubeconfig = KubeConfigs.write(tmp, apiUrl(), NAMESPACE);
        Path log = tmp.resolve("run-application.log");
        ProcessBuilder pb =
                new ProcessBuilder(
                                "bash",
                                Project.k8sDir().resolve("native/run-application.sh").toString(),
                                flavor)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("FLINK_HOME", home.toString());
        env.put("FLINK_CONF_DIR", home.resolve("conf").toString());
        env.put("KUBECONFIG", kubeconfig.toString());
        env.put("PPML_FLINK_OPTS", "-Dkubernetes.namespace=" + NAMESPACE);
        env.put(
                "PPML_TEST_JAVA",
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        env.put("PPML_TEST_CLASSPATH", System.getProperty("java.class.path"));
        Process p = pb.start();
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("flink run-application finished").isTrue();
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(output).isZero();
        return output;
    }

    @ParameterizedTest
    @ValueSource(strings = {"ack-tdx", "coco-tdx", "dev"})
    void runApplicationCreatesTheJobManagerAndATaskManagerTemplateOfTheFlavor(String flavor)
            throws Exception {
        String output = runApplication(flavor);
        if (flavor.equals("dev")) {
            assertThat(output).contains("DEVELOPMENT ONLY - NOT SECURE");
        }

        assertThat(output)
                .as("Flink's KubernetesClusterDescriptor deployed an application cluster")
                .contains("Create flink application cluster " + CLUSTER_ID + " successfully");

        Deployment jm = client.apps().deployments().withName(CLUSTER_ID).get();
        assertThat(jm).as("JobManager Deployment; client output:\n%s", output).isNotNull();
        PodSpec jmPod = jm.getSpec().getTemplate().getSpec();
        // the labels base/networkpolicy.yaml selects the JobManager by
        assertThat(jm.getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry("type", "flink-native-kubernetes")
                .containsEntry("component", "jobmanager");
        assertThat(jmPod.getServiceAccountName()).isEqualTo("flink");
        assertThat(jmPod.getRuntimeClassName()).as("the JobManager is never in a TEE").isNull();
        assertThat(jmPod.getVolumes()).noneMatch(v -> v.getHostPath() != null);
        assertThat(jmPod.getSecurityContext().getRunAsUser()).isEqualTo(9999L);
        assertThat(jm.getSpec().getTemplate().getMetadata().getAnnotations())
                .doesNotContainKeys(
                        RenderedManifestsITCase.KATA_INIT_DATA,
                        RenderedManifestsITCase.KATA_KERNEL_PARAMS);
        assertThat(jmPod.getContainers().get(0).getImage()).isEqualTo(Project.image());

        List<String> services =
                client.services().list().getItems().stream()
                        .map(s -> s.getMetadata().getName())
                        .collect(Collectors.toList());
        // with Kubernetes HA the TaskManagers find the JobManager through the HA ConfigMaps, so
        // Flink creates the REST service only (the internal one exists without HA)
        assertThat(services).containsExactly(CLUSTER_ID + "-rest");
        Service rest = client.services().withName(CLUSTER_ID + "-rest").get();
        assertThat(rest.getSpec().getType()).isEqualTo("ClusterIP");

        ConfigMap flinkConf = client.configMaps().withName("flink-config-" + CLUSTER_ID).get();
        assertThat(flinkConf).isNotNull();
        Map<String, String> conf = flinkOptions(flinkConf);
        assertThat(conf.get("security.ssl.internal.enabled")).isEqualTo("true");
        assertThat(conf.get("execution.checkpointing.mode")).isEqualTo("EXACTLY_ONCE");
        assertThat(conf.get("pipeline.jars")).contains("local://" + Project.jobsJarInImage());
        assertThat(conf.get("kubernetes.taskmanager.service-account"))
                .isEqualTo("flink-taskmanager");

        // the job's arguments are those of the operator overlay of the same flavor
        List<String> expectedArgs = RenderedManifestsITCase.args("overlays/" + flavor).args;
        assertThat(programArgs(conf)).isEqualTo(expectedArgs);

        ConfigMap templates = client.configMaps().withName("pod-template-" + CLUSTER_ID).get();
        assertThat(templates).as("ConfigMap with the TaskManager pod template").isNotNull();
        JsonNode tmTemplate =
                Yaml.documents(templates.getData().get("taskmanager-pod-template.yaml")).get(0);
        JsonNode expected =
                Yaml.file(
                        Project.k8sDir()
                                .resolve("native/pod-templates/taskmanager-" + flavor + ".yaml"));
        assertThat(tmTemplate.path("spec")).isEqualTo(expected.path("spec"));
        assertThat(tmTemplate.at("/metadata/annotations"))
                .isEqualTo(expected.at("/metadata/annotations"));
        switch (flavor) {
            case "coco-tdx":
                assertThat(tmTemplate.at("/spec/runtimeClassName").asText())
                        .isEqualTo("kata-qemu-tdx");
                assertThat(
                                tmTemplate
                                        .at("/metadata/annotations")
                                        .path(RenderedManifestsITCase.KATA_KERNEL_PARAMS)
                                        .asText())
                        .isEqualTo("agent.guest_components_rest_api=all");
                break;
            case "ack-tdx":
                assertThat(Trees.findField(tmTemplate, "hostPath").values())
                        .anySatisfy(
                                h ->
                                        assertThat(h.path("path").asText())
                                                .isEqualTo("/sys/kernel/config/tsm"));
                assertThat(conf.get("kubernetes.entry.path")).isEqualTo("/usr/bin/env");
                break;
            default:
                assertThat(tmTemplate.at("/spec/runtimeClassName").isMissingNode()).isTrue();
        }
    }

    /** The options in Flink's config.yaml of the ConfigMap, flattened to strings. */
    private static Map<String, String> flinkOptions(ConfigMap cm) {
        String yaml = cm.getData().get("config.yaml");
        assertThat(yaml).as("config.yaml in %s", cm.getData().keySet()).isNotNull();
        Map<String, String> out = new HashMap<>();
        flatten(Yaml.documents(yaml).get(0), "", out);
        return out;
    }

    private static void flatten(JsonNode node, String prefix, Map<String, String> out) {
        if (node.isObject()) {
            node.fields()
                    .forEachRemaining(
                            e ->
                                    flatten(
                                            e.getValue(),
                                            prefix.isEmpty()
                                                    ? e.getKey()
                                                    : prefix + "." + e.getKey(),
                                            out));
        } else if (node.isArray()) {
            out.put(
                    prefix,
                    Trees.list(node).stream()
                            .map(JsonNode::asText)
                            .collect(Collectors.joining(";")));
        } else {
            out.put(prefix, node.asText());
        }
    }

    private static List<String> programArgs(Map<String, String> conf) {
        String args = conf.get("$internal.application.program-args");
        assertThat(args).as("program arguments in %s", conf.keySet()).isNotNull();
        return List.of(args.split(";"));
    }
}
