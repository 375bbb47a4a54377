package dev.ppml.k8s.testutils;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Renders a kustomization the way a user does: {@code kubectl kustomize DIR} as a child process.
 * kubectl is {@code /usr/bin/kubectl} (v1.32, kustomize v5.5) unless {@code PPML_KUBECTL} names
 * another.
 */
public final class Kustomize {
    private Kustomize() {}

    public static String kubectl() {
        String configured = System.getenv("PPML_KUBECTL");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        return Files.isExecutable(Path.of("/usr/bin/kubectl")) ? "/usr/bin/kubectl" : "kubectl";
    }

    /** The rendered text of {@code dir}. */
    public static String renderText(Path dir) {
        try {
            Path out = Files.createTempFile("kustomize", ".yaml");
            Path err = Files.createTempFile("kustomize", ".err");
            try {
                Process p =
                        new ProcessBuilder(kubectl(), "kustomize", dir.toString())
                                .redirectOutput(out.toFile())
                                .redirectError(err.toFile())
                                .start();
                if (!p.waitFor(2, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("kubectl kustomize " + dir + " timed out");
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException(
                            "kubectl kustomize "
                                    + dir
                                    + " exited "
                                    + p.exitValue()
                                    + ": "
                                    + Files.readString(err, StandardCharsets.UTF_8));
                }
                return Files.readString(out, StandardCharsets.UTF_8);
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot run '" + kubectl() + " kustomize' (is kubectl installed?): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The rendered resources of {@code dir}. */
    public static List<JsonNode> render(Path dir) {
        return Yaml.documents(renderText(dir));
    }

    /** The resources of one kind. */
    public static List<JsonNode> ofKind(List<JsonNode> resources, String kind) {
        return resources.stream()
                .filter(r -> kind.equals(r.path("kind").asText()))
                .collect(Collectors.toList());
    }

    /** The one resource of a kind and name. */
    public static JsonNode one(List<JsonNode> resources, String kind, String name) {
        List<JsonNode> found =
                resources.stream()
                        .filter(r -> kind.equals(r.path("kind").asText()))
                        .filter(r -> name.equals(r.path("metadata").path("name").asText()))
                        .collect(Collectors.toList());
        if (found.size() != 1) {
            throw new AssertionError(
                    "expected one " + kind + " named " + name + ", found " + found.size());
        }
        return found.get(0);
    }
}
