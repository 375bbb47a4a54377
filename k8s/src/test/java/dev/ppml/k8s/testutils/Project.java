package dev.ppml.k8s.testutils;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the module is and which versions the build uses, as Maven passes them to the tests
 * (surefire and failsafe {@code systemPropertyVariables} in k8s/pom.xml), never hard-coded.
 */
public final class Project {
    private Project() {}

    /** The project version, e.g. {@code 0.1.0-SNAPSHOT}: the image tag and the jar names. */
    public static String version() {
        return property("ppml.project.version");
    }

    /** The pom's {@code flink.version}, e.g. {@code 2.3.0}. */
    public static String flinkVersion() {
        return property("ppml.flink.version");
    }

    /** The Dockerfile's base image as the pom defines it, e.g. {@code flink:2.3.0-java17}. */
    public static String flinkImage() {
        return property("ppml.flink.image");
    }

    /** The operator's name for {@link #flinkVersion()}: {@code 2.3.0} is {@code v2_3}. */
    public static String operatorFlinkVersion() {
        String[] parts = flinkVersion().split("\\.");
        return "v" + parts[0] + "_" + parts[1];
    }

    /** The k8s module's directory. */
    public static Path k8sDir() {
        return Path.of(property("ppml.k8s.dir")).toAbsolutePath().normalize();
    }

    /** The repository root, against which artifact paths are resolved. */
    public static Path repoRoot() {
        return Path.of(property("ppml.repo.root")).toAbsolutePath().normalize();
    }

    /** The jobs jar as the image holds it. */
    public static String jobsJarInImage() {
        return "/opt/flink/usrlib/flink-ppml-jobs-" + version() + ".jar";
    }

    /** The image the manifests must name. */
    public static String image() {
        return "flink-ppml:" + version();
    }

    public static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String property(String key) {
        String v = System.getProperty(key);
        if (v == null || v.isBlank() || v.startsWith("${")) {
            throw new IllegalStateException(
                    "system property "
                            + key
                            + " is not set; run the tests through Maven (k8s/pom.xml sets it)");
        }
        return v;
    }
}
