package dev.ppml.k8s.testutils;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** kubeconfig files for Flink's Kubernetes client. */
public final class KubeConfigs {
    private KubeConfigs() {}

    /** A kubeconfig for a plain-HTTP API server at {@code url} in namespace {@code ns}. */
    public static Path write(Path dir, String url, String namespace) throws IOException {
        Path file = dir.resolve("kubeconfig");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "apiVersion: v1",
                        "kind: Config",
                        "clusters:",
                        "  - name: test",
                        "    cluster:",
                        "      server: " + url,
                        "contexts:",
                        "  - name: test",
                        "    context:",
                        "      cluster: test",
                        "      namespace: " + namespace,
                        "      user: test",
                        "users:",
                        "  - name: test",
                        "    user: {}",
                        "current-context: test",
                        ""));
        return file;
    }
}
