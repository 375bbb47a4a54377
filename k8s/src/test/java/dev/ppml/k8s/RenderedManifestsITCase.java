package dev.ppml.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ppml.attestation.evidence.ConfigFsTsmEvidenceProvider;
import dev.ppml.k8s.testutils.Kustomize;
import dev.ppml.k8s.testutils.Project;
import dev.ppml.k8s.testutils.StructuralSchemaValidator;
import dev.ppml.k8s.testutils.Trees;
import dev.ppml.k8s.testutils.Yaml;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every kustomization rendered with {@code kubectl kustomize} (a child process, as a user runs it),
 * every Flink Kubernetes Operator resource validated against the operator's CRDs with the API
 * server's structural rules, and the invariants the deployment rests on.
 */
class RenderedManifestsITCase {
    static final List<String> ALL_DIRS =
            List.of(
                    "base",
                    "operator",
                    "operator/session",
                    "native",
                    "overlays/ack-tdx",
                    "overlays/coco-tdx",
                    "overlays/dev");
    static final List<String> DEPLOYMENT_DIRS =
            List.of(
                    "operator",
                    "operator/session",
                    "overlays/ack-tdx",
                    "overlays/coco-tdx",
                    "overlays/dev");
    static final String TSM_HOST_PATH = "/sys/kernel/config/tsm";
    static final String KATA_KERNEL_PARAMS = "io.katacontainers.config.hypervisor.kernel_params";
    static final String KATA_INIT_DATA = "io.katacontainers.config.hypervisor.cc_init_data";

    private static final Map<String, List<JsonNode>> RENDERED = new HashMap<>();

    static synchronized List<JsonNode> rendered(String dir) {
        return RENDERED.computeIfAbsent(dir, d -> Kustomize.render(Project.k8sDir().resolve(d)));
    }

    static JsonNode deployment(String dir) {
        List<JsonNode> fds = Kustomize.ofKind(rendered(dir), "FlinkDeployment");
        assertThat(fds).as("FlinkDeployments in %s", dir).hasSize(1);
        return fds.get(0);
    }

    static JobArgs args(String dir) {
        return JobArgs.of(deployment(dir).at("/spec/job/args"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "base",
                "operator",
                "operator/session",
                "native",
                "overlays/ack-tdx",
                "overlays/coco-tdx",
                "overlays/dev"
            })
    void rendersAndEveryOperatorResourceValidatesAgainstTheCrds(String dir) {
        List<JsonNode> resources = rendered(dir);
        assertThat(resources).as("resources of %s", dir).isNotEmpty();
        int operatorResources = 0;
        for (JsonNode r : resources) {
            StructuralSchemaValidator validator = CrdSchemas.forKind(r.path("kind").asText());
            if (validator != null) {
                operatorResources++;
                assertThat(validator.validate(r))
                        .as("%s %s in %s", r.path("kind").asText(), name(r), dir)
                        .isEmpty();
            }
        }
        assertThat(operatorResources > 0).isEqualTo(DEPLOYMENT_DIRS.contains(dir));
    }

    @Test
    void noOverlayEnablesFlinksOwnOssPlugin() {
        for (String dir : ALL_DIRS) {
            assertThat(Kustomize.renderText(Project.k8sDir().resolve(dir)))
                    .as("%s: a second oss:// file system beside ours", dir)
                    .doesNotContain("flink-oss-fs-hadoop")
                    .doesNotContain("ENABLE_BUILT_IN_PLUGINS");
        }
    }

    @Test
    void versionsImagesAndJarsFollowThePom() {
        for (String dir : DEPLOYMENT_DIRS) {
            JsonNode fd = deployment(dir);
            assertThat(fd.at("/spec/flinkVersion").asText())
                    .as("flinkVersion in %s", dir)
                    .isEqualTo(Project.operatorFlinkVersion());
            assertThat(fd.at("/spec/image").asText()).as(dir).isEqualTo(Project.image());
            for (JsonNode r : rendered(dir)) {
                Trees.findField(r, "image")
                        .forEach(
                                (pointer, image) ->
                                        assertThat(image.asText())
                                                .as("%s in %s of %s", pointer, name(r), dir)
                                                .isEqualTo(Project.image()));
            }
            if (!dir.equals("operator/session")) {
                assertThat(fd.at("/spec/job/jarURI").asText())
                        .as(dir)
                        .isEqualTo("local://" + Project.jobsJarInImage());
                assertThat(fd.at("/spec/job/entryClass").asText())
                        .isEqualTo("dev.ppml.jobs.SimpleQuery");
            }
        }
        JsonNode sessionJob =
                Kustomize.ofKind(rendered("operator/session"), "FlinkSessionJob").get(0);
        assertThat(sessionJob.at("/spec/job/jarURI").asText())
                .as("a session job's jar is downloaded by the operator: https only from 1.15")
                .startsWith("https://")
                .endsWith("/flink-ppml-jobs-" + Project.version() + ".jar");
        assertThat(sessionJob.at("/spec/deploymentName").asText())
                .isEqualTo(name(deployment("operator/session")));
        assertThat(deployment("operator/session").at("/spec/job").isMissingNode())
                .as("the session cluster runs no job of its own")
                .isTrue();
        Map<String, String> native_ = nativeOptions("dev");
        assertThat(native_.get("kubernetes.container.image.ref")).isEqualTo(Project.image());
    }

    @Test
    void onlyTaskManagersRunInTdxAndTheJobManagerGetsNoKeyAccess() {
        for (String dir : DEPLOYMENT_DIRS) {
            JsonNode fd = deployment(dir);
            assertOnlyUnderTaskManager(fd, dir, "runtimeClassName");
            assertOnlyUnderTaskManager(fd, dir, KATA_KERNEL_PARAMS);
            assertOnlyUnderTaskManager(fd, dir, KATA_INIT_DATA);
            assertOnlyUnderTaskManager(fd, dir, "hostPath");
            assertOnlyUnderTaskManager(fd, dir, "nodeSelector");
            JsonNode jm =
                    Trees.mergeByName(
                            fd.at("/spec/podTemplate"), fd.at("/spec/jobManager/podTemplate"));
            assertThat(Trees.findField(jm, "configMap").values())
                    .as("no KBS CA or key material mounted on the JobManager in %s", dir)
                    .noneMatch(c -> c.path("name").asText().startsWith("kbs"));
        }
        JsonNode coco = deployment("overlays/coco-tdx");
        assertThat(coco.at("/spec/taskManager/podTemplate/spec/runtimeClassName").asText())
                .isEqualTo("kata-qemu-tdx");
        assertThat(
                        deployment("overlays/ack-tdx")
                                .at("/spec/taskManager/podTemplate/spec")
                                .has("runtimeClassName"))
                .as("ACK TDX node pools: the node is the TD, pods use the default runtime")
                .isFalse();
        for (String dir : List.of("operator", "overlays/dev", "operator/session")) {
            assertThat(Trees.findField(deployment(dir), "runtimeClassName")).as(dir).isEmpty();
        }
    }

    private static void assertOnlyUnderTaskManager(JsonNode fd, String dir, String field) {
        assertThat(Trees.findField(fd, field).keySet())
                .as("%s in %s", field, dir)
                .allSatisfy(p -> assertThat(p).startsWith("/spec/taskManager/podTemplate/"));
    }

    @Test
    void ackTdxMountsConfigFsTsmWhereTheEvidenceProviderLooks() {
        JsonNode fd = deployment("overlays/ack-tdx");
        JsonNode tm = fd.at("/spec/taskManager/podTemplate");
        JobArgs args = args("overlays/ack-tdx");
        assertThat(args.option("--key-uri")).startsWith("kbs://");
        assertThat(args.keyService()).containsEntry("kbs.tee", "tdx");

        JsonNode volume =
                Trees.list(tm.at("/spec/volumes")).stream()
                        .filter(v -> v.has("hostPath"))
                        .findFirst()
                        .orElseThrow();
        assertThat(volume.at("/hostPath/path").asText()).isEqualTo(TSM_HOST_PATH);
        assertThat(volume.at("/hostPath/type").asText()).isEqualTo("Directory");
        JsonNode mount =
                Trees.list(tm.at("/spec/containers/0/volumeMounts")).stream()
                        .filter(m -> m.path("name").equals(volume.path("name")))
                        .findFirst()
                        .orElseThrow();
        assertThat(tm.at("/spec/containers/0/name").asText()).isEqualTo("flink-main-container");
        assertThat(mount.path("readOnly").asBoolean())
                .as("reports are created by writing")
                .isFalse();
        assertThat(args.keyService().get("kbs.evidence-location"))
                .as("the provider's root is where the overlay mounts the node's configfs-tsm")
                .isEqualTo(mount.path("mountPath").asText());
        assertThat(mount.path("mountPath").asText())
                .as("not under the container's read-only /sys")
                .doesNotStartWith("/sys/");
        assertThat(ConfigFsTsmEvidenceProvider.DEFAULT_ROOT.toString()).isEqualTo(TSM_HOST_PATH);

        assertThat(tm.at("/spec/nodeSelector").size()).isPositive();
        assertThat(tm.at("/spec/tolerations").size()).isPositive();
        assertThat(
                        tm.at("/spec/containers/0/securityContext/allowPrivilegeEscalation")
                                .asBoolean(true))
                .isFalse();
        assertThat(tm.at("/spec/containers/0/securityContext/capabilities/drop/0").asText())
                .isEqualTo("ALL");
        assertThat(fd.at("/spec/flinkConfiguration/kubernetes.entry.path").asText())
                .isEqualTo("/usr/bin/env");
    }

    @Test
    void cocoPodsPointAtTheKbsThroughInitdataAndGetSealedOssCredentials() throws Exception {
        JsonNode tm = deployment("overlays/coco-tdx").at("/spec/taskManager/podTemplate");
        JsonNode annotations = tm.at("/metadata/annotations");
        assertThat(annotations.path(KATA_KERNEL_PARAMS).asText())
                .isEqualTo("agent.guest_components_rest_api=all");

        byte[] initdata = Files.readAllBytes(Project.k8sDir().resolve("coco/initdata.toml"));
        assertThat(gunzip(Base64.getDecoder().decode(annotations.path(KATA_INIT_DATA).asText())))
                .as("cc_init_data is coco/initdata.toml, gzip + base64 (coco/encode-initdata.sh)")
                .isEqualTo(initdata);
        String initdataText = new String(initdata, StandardCharsets.UTF_8);
        assertThat(initdataText)
                .contains("algorithm = \"sha384\"")
                .contains("version = \"0.1.0\"")
                .contains("name = \"cc_kbc\"");
        String digest =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-384").digest(initdata));
        assertThat(Project.read(Project.k8sDir().resolve("coco/kbs-resource-policy.rego")))
                .as("the resource policy pins the initdata's digest (MRCONFIGID)")
                .contains("expected_mr_config_id := \"" + digest + "\"")
                .contains("package policy")
                .contains("[\"default\", \"key\", \"people\"]");

        JobArgs args = args("overlays/coco-tdx");
        String keyUri = args.option("--key-uri");
        if (keyUri.startsWith("kbs://")) {
            assertThat(args.keyService()).containsEntry("kbs.tee", "coco-aa");
        } else {
            assertThat(keyUri).startsWith("cdh://");
        }
        JsonNode env = tm.at("/spec/containers/0/env");
        for (String name : List.of("OSS_ACCESS_KEY_ID", "OSS_ACCESS_KEY_SECRET")) {
            JsonNode e =
                    Trees.list(env).stream()
                            .filter(x -> x.path("name").asText().equals(name))
                            .findFirst()
                            .orElseThrow();
            assertThat(e.at("/valueFrom/secretKeyRef/name").asText())
                    .as("%s of CoCo TaskManagers comes from sealed secrets", name)
                    .isEqualTo("oss-credentials-sealed");
        }
    }

    @Test
    void devSaysLoudlyThatItIsNotSecure() {
        JsonNode fd = deployment("overlays/dev");
        assertThat(fd.at("/metadata/labels/ppml.dev~1attestation").asText())
                .isEqualTo("simulated-not-secure");
        assertThat(fd.at("/metadata/annotations/ppml.dev~1warning").asText())
                .contains("DEVELOPMENT ONLY");
        assertThat(Project.read(Project.k8sDir().resolve("overlays/dev/kustomization.yaml")))
                .contains("DEVELOPMENT ONLY - NOT SECURE");
        JobArgs args = args("overlays/dev");
        assertThat(args.keyService())
                .containsEntry("kbs.tee", "sample")
                .containsEntry("kbs.plaintext-http", "true");
        assertThat(args.option("--key-uri")).startsWith("kbs://127.0.0.1:");
        JsonNode sidecar =
                Trees.list(fd.at("/spec/taskManager/podTemplate/spec/containers")).stream()
                        .filter(c -> c.path("name").asText().equals("kbs-dev-broker"))
                        .findFirst()
                        .orElseThrow();
        assertThat(Trees.list(sidecar.path("command")).stream().map(JsonNode::asText))
                .contains("--insecure-dev", "dev-server");
        for (String dir : List.of("overlays/ack-tdx", "overlays/coco-tdx")) {
            assertThat(args(dir).keyService().get("kbs.tee")).as(dir).isNotEqualTo("sample");
            assertThat(args(dir).keyService()).as(dir).doesNotContainKey("kbs.plaintext-http");
        }
    }

    @Test
    void exactlyOnceOnOss() {
        for (String dir : DEPLOYMENT_DIRS) {
            JsonNode fd = deployment(dir);
            JsonNode conf = fd.at("/spec/flinkConfiguration");
            assertThat(conf.path("execution.checkpointing.mode").asText())
                    .as(dir)
                    .isEqualTo("EXACTLY_ONCE");
            assertThat(conf.path("execution.checkpointing.interval").asText()).isNotBlank();
            assertThat(conf.path("execution.checkpointing.dir").asText()).startsWith("oss://");
            assertThat(conf.path("execution.checkpointing.savepoint-dir").asText())
                    .startsWith("oss://");
            assertThat(conf.path("high-availability.type").asText()).isEqualTo("kubernetes");
            assertThat(conf.path("high-availability.storageDir").asText()).startsWith("oss://");
            assertThat(conf.path("restart-strategy.type").asText())
                    .isIn("exponential-delay", "fixed-delay", "failure-rate");
            assertThat(conf.path("security.ssl.internal.enabled").asText()).isEqualTo("true");
        }
        for (String dir :
                List.of("operator", "overlays/ack-tdx", "overlays/coco-tdx", "overlays/dev")) {
            JsonNode job = deployment(dir).at("/spec/job");
            assertThat(job.path("upgradeMode").asText())
                    .as("%s: stateless would restart from scratch and write twice", dir)
                    .isIn("savepoint", "last-state");
            JobArgs args = JobArgs.of(job.path("args"));
            assertThat(args.option("--input")).startsWith("oss://");
            assertThat(args.option("--output")).startsWith("oss://");
        }
        JsonNode sessionJob =
                Kustomize.ofKind(rendered("operator/session"), "FlinkSessionJob").get(0);
        assertThat(sessionJob.at("/spec/job/upgradeMode").asText()).isIn("savepoint", "last-state");
    }

    private static final Pattern SECRETISH =
            Pattern.compile(
                    "(?i).*(secret|password|passwd|token|credential|private|access.?key).*");
    private static final List<Pattern> SECRET_VALUES =
            List.of(
                    Pattern.compile("LTAI[0-9A-Za-z]{12,}"), // an Alibaba Cloud AccessKey ID
                    Pattern.compile("AKIA[0-9A-Z]{16}"),
                    Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----"),
                    Pattern.compile("\"k\"\\s*:\\s*\"[A-Za-z0-9_-]{16,}\""), // a JWK secret
                    Pattern.compile("\"value\"\\s*:\\s*\"[A-Za-z0-9+/=]{20,}\"") // a Tink key
                    );

    @Test
    void noSecretValueInAnyManifest() throws IOException {
        for (String dir : ALL_DIRS) {
            for (JsonNode r : rendered(dir)) {
                assertThat(r.path("kind").asText())
                        .as("Secrets are created by the user, never shipped (%s)", dir)
                        .isNotEqualTo("Secret");
                for (JsonNode env : Trees.findField(r, "env").values()) {
                    for (JsonNode e : env) {
                        if (SECRETISH.matcher(e.path("name").asText()).matches()) {
                            assertThat(e.has("value"))
                                    .as("env %s in %s of %s", e.path("name"), name(r), dir)
                                    .isFalse();
                        }
                    }
                }
                Trees.texts(r)
                        .forEach(
                                (pointer, text) -> {
                                    String key = pointer.substring(pointer.lastIndexOf('/') + 1);
                                    if (key.matches("(?i).*password.*")) {
                                        assertThat(text)
                                                .as("%s in %s of %s", pointer, name(r), dir)
                                                .isEqualTo("<redacted>");
                                    }
                                    assertThat(key)
                                            .as("OSS credentials go through env, not options")
                                            .isNotIn(
                                                    "fs.oss.accessKeyId", "fs.oss.accessKeySecret");
                                });
            }
        }
        try (Stream<Path> files = Files.walk(Project.k8sDir())) {
            for (Path f :
                    files.filter(Files::isRegularFile)
                            .filter(p -> !p.startsWith(Project.k8sDir().resolve("target")))
                            .filter(
                                    p ->
                                            !p.startsWith(
                                                    Project.k8sDir()
                                                            .resolve("src/test/resources/crds")))
                            .filter(p -> !p.toString().endsWith(".java"))
                            .collect(Collectors.toList())) {
                String text = Files.readString(f);
                for (Pattern p : SECRET_VALUES) {
                    assertThat(p.matcher(text).find()).as("%s in %s", p, f).isFalse();
                }
                for (Map.Entry<String, String> option : flinkOptionLines(text).entrySet()) {
                    if (option.getKey().matches("(?i).*password.*")) {
                        assertThat(option.getValue())
                                .as("%s in %s", option, f)
                                .isEqualTo("<redacted>");
                    }
                }
            }
        }
    }

    private static Map<String, String> flinkOptionLines(String text) {
        Map<String, String> out = new HashMap<>();
        for (String line : text.split("\n")) {
            String l = line.trim();
            int colon = l.indexOf(": ");
            if (!l.startsWith("#")
                    && colon > 0
                    && l.substring(0, colon).matches("-?\\s*[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)+")) {
                out.put(l.substring(0, colon), l.substring(colon + 2).trim());
            }
        }
        return out;
    }

    @Test
    void rbacGrantsOnlyWhatFlinkNeeds() {
        List<JsonNode> resources = rendered("operator");
        assertThat(Kustomize.ofKind(resources, "ClusterRole")).isEmpty();
        assertThat(Kustomize.ofKind(resources, "ClusterRoleBinding")).isEmpty();
        JsonNode role = Kustomize.one(resources, "Role", "flink");
        Set<String> granted =
                Trees.list(role.path("rules")).stream()
                        .flatMap(
                                rule ->
                                        Trees.list(rule.path("resources")).stream()
                                                .flatMap(
                                                        res ->
                                                                Trees.list(rule.path("apiGroups"))
                                                                        .stream()
                                                                        .map(
                                                                                g ->
                                                                                        g.asText()
                                                                                                + "/"
                                                                                                + res
                                                                                                        .asText())))
                        .collect(Collectors.toSet());
        assertThat(granted)
                .containsExactlyInAnyOrder(
                        "/pods",
                        "/configmaps",
                        "/services",
                        "apps/deployments",
                        "apps/deployments/finalizers");
        for (JsonNode rule : role.path("rules")) {
            assertThat(Trees.list(rule.path("verbs")).stream().map(JsonNode::asText))
                    .containsExactlyInAnyOrder(
                            "get", "list", "watch", "create", "update", "patch", "delete");
        }
        JsonNode binding = Kustomize.one(resources, "RoleBinding", "flink");
        assertThat(Trees.list(binding.path("subjects")).stream().map(s -> s.path("name").asText()))
                .containsExactly("flink");
        JsonNode tmRole = Kustomize.one(resources, "Role", "flink-taskmanager");
        assertThat(tmRole.path("rules")).hasSize(1);
        assertThat(tmRole.at("/rules/0/resources").toString()).isEqualTo("[\"configmaps\"]");
        assertThat(Trees.list(tmRole.at("/rules/0/verbs")).stream().map(JsonNode::asText))
                .as("TaskManagers only watch Kubernetes HA's leader ConfigMaps")
                .containsExactlyInAnyOrder("get", "list", "watch");
        JsonNode tmBinding = Kustomize.one(resources, "RoleBinding", "flink-taskmanager");
        assertThat(tmBinding.at("/roleRef/name").asText()).isEqualTo("flink-taskmanager");
        assertThat(
                        Trees.list(tmBinding.path("subjects")).stream()
                                .map(x -> x.path("name").asText()))
                .containsExactly("flink-taskmanager");
        for (String dir : DEPLOYMENT_DIRS) {
            JsonNode fd = deployment(dir);
            assertThat(fd.at("/spec/serviceAccount").asText()).isEqualTo("flink");
            assertThat(
                            fd.at("/spec/flinkConfiguration/kubernetes.taskmanager.service-account")
                                    .asText())
                    .as(dir)
                    .isEqualTo("flink-taskmanager");
        }
    }

    @Test
    void networkPoliciesLetTaskManagersReachOnlyJobManagerKbsAndOss() {
        List<JsonNode> resources = rendered("operator");
        JsonNode tm = Kustomize.one(resources, "NetworkPolicy", "flink-taskmanager");
        JsonNode jm = Kustomize.one(resources, "NetworkPolicy", "flink-jobmanager");
        assertThat(tm.at("/spec/podSelector/matchLabels/component").asText())
                .isEqualTo("taskmanager");
        assertThat(jm.at("/spec/podSelector/matchLabels/component").asText())
                .isEqualTo("jobmanager");
        for (JsonNode policy : List.of(tm, jm)) {
            assertThat(Trees.list(policy.at("/spec/policyTypes")).stream().map(JsonNode::asText))
                    .containsExactlyInAnyOrder("Ingress", "Egress");
        }
        List<String> tmPeers = peers(tm);
        assertThat(tmPeers)
                .containsExactlyInAnyOrder(
                        "pods type=flink-native-kubernetes",
                        "pods app=kbs in namespace trustee :8080",
                        "ipBlock 100.64.0.0/10 :443",
                        "ipBlock 10.0.0.0/8 :443:6443",
                        "pods k8s-app=kube-dns in namespace kube-system :53");
        assertThat(peers(jm))
                .as("the JobManager has no route to the KBS")
                .noneMatch(p -> p.contains("kbs") || p.contains("trustee") || p.contains(":8080"));
    }

    /** The egress rules of a policy, one readable line per peer. */
    private static List<String> peers(JsonNode policy) {
        return Trees.list(policy.at("/spec/egress")).stream()
                .flatMap(
                        rule -> {
                            String ports =
                                    Trees.list(rule.path("ports")).stream()
                                            .map(p -> ":" + p.path("port").asText())
                                            .distinct()
                                            .collect(Collectors.joining());
                            return Trees.list(rule.path("to")).stream()
                                    .map(to -> describe(to) + (ports.isEmpty() ? "" : " " + ports));
                        })
                .collect(Collectors.toList());
    }

    private static String describe(JsonNode to) {
        if (to.has("ipBlock")) {
            return "ipBlock " + to.at("/ipBlock/cidr").asText();
        }
        StringBuilder s = new StringBuilder("pods");
        to.at("/podSelector/matchLabels")
                .fields()
                .forEachRemaining(
                        e ->
                                s.append(' ')
                                        .append(e.getKey())
                                        .append('=')
                                        .append(e.getValue().asText()));
        if (to.has("namespaceSelector")) {
            s.append(" in namespace ")
                    .append(
                            to.at("/namespaceSelector/matchLabels/kubernetes.io~1metadata.name")
                                    .asText());
        }
        return s.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ack-tdx", "coco-tdx", "dev"})
    void nativeTemplatesAndOptionsAreThoseOfTheOverlay(String flavor) {
        JsonNode fd = deployment("overlays/" + flavor);
        JsonNode expectedTm =
                Trees.mergeByName(
                        fd.at("/spec/podTemplate"), fd.at("/spec/taskManager/podTemplate"));
        JsonNode nativeTm =
                Yaml.file(
                        Project.k8sDir()
                                .resolve("native/pod-templates/taskmanager-" + flavor + ".yaml"));
        assertThat(nativeTm.path("spec"))
                .as("TaskManager pod spec, %s", flavor)
                .isEqualTo(expectedTm.path("spec"));
        assertThat(nativeTm.at("/metadata/annotations"))
                .isEqualTo(expectedTm.at("/metadata/annotations"));
        assertThat(nativeTm.at("/metadata/labels")).isEqualTo(expectedTm.at("/metadata/labels"));

        JsonNode nativeJm =
                Yaml.file(Project.k8sDir().resolve("native/pod-templates/jobmanager.yaml"));
        assertThat(nativeJm.path("spec"))
                .isEqualTo(
                        Trees.mergeByName(
                                        fd.at("/spec/podTemplate"),
                                        fd.at("/spec/jobManager/podTemplate"))
                                .path("spec"));

        Map<String, String> nativeOptions = nativeOptions(flavor);
        fd.at("/spec/flinkConfiguration")
                .fields()
                .forEachRemaining(
                        e -> {
                            if (!e.getKey().startsWith("kubernetes.operator.")) {
                                assertThat(nativeOptions.get(e.getKey()))
                                        .as("native %s option %s", flavor, e.getKey())
                                        .isEqualTo(e.getValue().asText());
                            }
                        });
    }

    /** native/config/common.yaml with the flavor's file over it. */
    static Map<String, String> nativeOptions(String flavor) {
        Map<String, String> options =
                new LinkedHashMap<>(
                        Yaml.flatOptions(Project.k8sDir().resolve("native/config/common.yaml")));
        options.putAll(
                Yaml.flatOptions(Project.k8sDir().resolve("native/config/" + flavor + ".yaml")));
        return options;
    }

    static String name(JsonNode r) {
        return r.path("metadata").path("name").asText();
    }

    private static byte[] gunzip(byte[] gz) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }
}
