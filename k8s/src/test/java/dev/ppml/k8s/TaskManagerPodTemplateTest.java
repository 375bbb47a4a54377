package dev.ppml.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ppml.k8s.testutils.KubeConfigs;
import dev.ppml.k8s.testutils.Project;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.kubernetes.configuration.KubernetesConfigOptions;
import org.apache.flink.kubernetes.kubeclient.FlinkKubeClient;
import org.apache.flink.kubernetes.kubeclient.FlinkKubeClientFactory;
import org.apache.flink.kubernetes.kubeclient.FlinkPod;
import org.apache.flink.kubernetes.kubeclient.factory.KubernetesTaskManagerFactory;
import org.apache.flink.kubernetes.kubeclient.parameters.KubernetesTaskManagerParameters;
import org.apache.flink.kubernetes.shaded.io.fabric8.kubernetes.api.model.Container;
import org.apache.flink.kubernetes.shaded.io.fabric8.kubernetes.api.model.EnvVar;
import org.apache.flink.kubernetes.shaded.io.fabric8.kubernetes.api.model.Pod;
import org.apache.flink.kubernetes.shaded.io.fabric8.kubernetes.api.model.Volume;
import org.apache.flink.kubernetes.utils.Constants;
import org.apache.flink.kubernetes.utils.KubernetesUtils;
import org.apache.flink.runtime.clusterframework.ContaineredTaskManagerParameters;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flink's own code ({@code KubernetesTaskManagerFactory}, as the JobManager's resource manager
 * calls it) renders the TaskManager pod from our native pod templates and options, and what makes a
 * TaskManager a TDX one survives Flink's decorators.
 */
class TaskManagerPodTemplateTest {
    private static final int RPC_PORT = 6122;

    @TempDir Path tmp;

    private Pod render(String flavor) throws Exception {
        Map<String, String> options = RenderedManifestsITCase.nativeOptions(flavor);
        Configuration conf = Configuration.fromMap(options);
        Path template =
                Project.k8sDir().resolve("native/pod-templates/taskmanager-" + flavor + ".yaml");
        conf.set(KubernetesConfigOptions.TASK_MANAGER_POD_TEMPLATE, template.toString());
        conf.setString("taskmanager.rpc.port", String.valueOf(RPC_PORT));
        // never contacted: loading a template file needs a client, not a server
        conf.set(
                KubernetesConfigOptions.KUBE_CONFIG_FILE,
                KubeConfigs.write(tmp, "http://127.0.0.1:9", "default").toString());

        FlinkPod podTemplate;
        try (FlinkKubeClient client =
                FlinkKubeClientFactory.getInstance().fromConfiguration(conf, "test")) {
            podTemplate =
                    KubernetesUtils.loadPodFromTemplateFile(
                            client, template.toFile(), Constants.MAIN_CONTAINER_NAME);
        }
        TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(conf);
        KubernetesTaskManagerParameters parameters =
                new KubernetesTaskManagerParameters(
                        conf,
                        "simple-query-taskmanager-1-1",
                        TaskExecutorProcessUtils.generateDynamicConfigsStr(spec),
                        "",
                        ContaineredTaskManagerParameters.create(conf, spec),
                        Collections.emptyMap(),
                        Collections.emptySet());
        return KubernetesTaskManagerFactory.buildTaskManagerKubernetesPod(podTemplate, parameters)
                .getInternalResource();
    }

    private static Container main(Pod pod) {
        return pod.getSpec().getContainers().stream()
                .filter(c -> c.getName().equals(Constants.MAIN_CONTAINER_NAME))
                .findFirst()
                .orElseThrow();
    }

    private static Map<String, EnvVar> env(Container c) {
        return c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e, (a, b) -> b));
    }

    private static Map<String, Volume> volumes(Pod pod) {
        return pod.getSpec().getVolumes().stream()
                .collect(Collectors.toMap(Volume::getName, v -> v));
    }

    private static void assertCommon(Pod pod) {
        Container main = main(pod);
        assertThat(main.getImage()).isEqualTo(Project.image());
        assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("flink-taskmanager");
        // the labels base/networkpolicy.yaml selects TaskManagers by
        assertThat(pod.getMetadata().getLabels())
                .containsEntry("type", "flink-native-kubernetes")
                .containsEntry("component", "taskmanager");
        assertThat(main.getPorts())
                .anySatisfy(p -> assertThat(p.getContainerPort()).isEqualTo(RPC_PORT));
        assertThat(String.join(" ", main.getArgs())).contains("kubernetes-taskmanager.sh");
        Map<String, EnvVar> env = env(main);
        assertThat(env.get("OSS_ACCESS_KEY_SECRET").getValueFrom().getSecretKeyRef().getKey())
                .isEqualTo("access-key-secret");
        assertThat(env.get("OSS_ACCESS_KEY_SECRET").getValue()).isNull();
        assertThat(env.get("OSS_ENDPOINT").getValueFrom().getConfigMapKeyRef().getName())
                .isEqualTo("oss-endpoint");
        assertThat(volumes(pod).get("internal-tls").getSecret().getSecretName())
                .isEqualTo("flink-internal-tls");
        assertThat(main.getVolumeMounts())
                .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/opt/flink/internal-tls"));
        // Flink's own configuration volume is added next to ours
        assertThat(main.getVolumeMounts())
                .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/opt/flink/conf"));
        assertThat(main.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(main.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    }

    @Test
    void ackTdxTaskManagerKeepsConfigFsTsmNodePlacementAndRunsWithoutTheEntrypoint()
            throws Exception {
        Pod pod = render("ack-tdx");
        assertCommon(pod);
        Volume tsm = volumes(pod).get("configfs-tsm");
        assertThat(tsm.getHostPath().getPath()).isEqualTo("/sys/kernel/config/tsm");
        assertThat(tsm.getHostPath().getType()).isEqualTo("Directory");
        assertThat(main(pod).getVolumeMounts())
                .anySatisfy(
                        m -> {
                            assertThat(m.getName()).isEqualTo("configfs-tsm");
                            assertThat(m.getMountPath()).isEqualTo("/host/sys/kernel/config/tsm");
                            assertThat(m.getReadOnly()).isNotEqualTo(Boolean.TRUE);
                        });
        assertThat(pod.getSpec().getNodeSelector()).containsEntry("ppml.dev/tee", "tdx");
        assertThat(pod.getSpec().getTolerations())
                .anySatisfy(t -> assertThat(t.getKey()).isEqualTo("ppml.dev/tee"));
        assertThat(pod.getSpec().getRuntimeClassName()).isNull();
        assertThat(main(pod).getSecurityContext().getRunAsUser()).isZero();
        assertThat(pod.getSpec().getSecurityContext().getRunAsUser()).isZero();
        assertThat(main(pod).getCommand())
                .as("kubernetes.entry.path: the image's entrypoint would drop root")
                .containsExactly("/usr/bin/env");
        assertThat(pod.getMetadata().getLabels()).containsEntry("ppml.dev/tee", "tdx");
    }

    @Test
    void cocoTaskManagerKeepsRuntimeClassKataAnnotationsAndSealedCredentials() throws Exception {
        Pod pod = render("coco-tdx");
        assertCommon(pod);
        assertThat(pod.getSpec().getRuntimeClassName()).isEqualTo("kata-qemu-tdx");
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        assertThat(annotations)
                .containsEntry(
                        RenderedManifestsITCase.KATA_KERNEL_PARAMS,
                        "agent.guest_components_rest_api=all");
        assertThat(annotations.get(RenderedManifestsITCase.KATA_INIT_DATA)).startsWith("H4sI");
        assertThat(
                        env(main(pod))
                                .get("OSS_ACCESS_KEY_ID")
                                .getValueFrom()
                                .getSecretKeyRef()
                                .getName())
                .isEqualTo("oss-credentials-sealed");
        assertThat(volumes(pod)).doesNotContainKey("configfs-tsm");
        assertThat(main(pod).getCommand()).containsExactly("/docker-entrypoint.sh");
        assertThat(pod.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
    }

    @Test
    void devTaskManagerKeepsTheBrokerSidecarAndHasNoTee() throws Exception {
        Pod pod = render("dev");
        assertCommon(pod);
        assertThat(pod.getSpec().getRuntimeClassName()).isNull();
        List<String> names =
                pod.getSpec().getContainers().stream()
                        .map(Container::getName)
                        .collect(Collectors.toList());
        assertThat(names).containsExactlyInAnyOrder("flink-main-container", "kbs-dev-broker");
        Container broker =
                pod.getSpec().getContainers().stream()
                        .filter(c -> c.getName().equals("kbs-dev-broker"))
                        .findFirst()
                        .orElseThrow();
        assertThat(broker.getImage()).isEqualTo(Project.image());
        assertThat(broker.getCommand()).contains("--insecure-dev");
        assertThat(String.join(":", broker.getCommand())).contains(Project.jobsJarInImage());
        assertThat(volumes(pod).get("dev-kbs-resources").getSecret().getSecretName())
                .isEqualTo("ppml-dev-key");
    }
}
