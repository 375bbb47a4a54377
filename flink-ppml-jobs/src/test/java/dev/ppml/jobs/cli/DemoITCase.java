package dev.ppml.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ppml.keys.testing.KeyMaterial;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/ppml demo} end to end in a fresh process, with every logger of every library at DEBUG
 * written to a file: the demo verifies its own result through the key broker's attestation path,
 * and no form of the master key (raw hex, Base64, the keyset's serialized value) appears in the
 * logs, the output or any file but the broker's resource itself.
 */
class DemoITCase {

    @TempDir Path dir;

    @Test
    void demoSucceedsAndNoKeyMaterialReachesLogsOrOutput() throws Exception {
        Path log = dir.resolve("debug.log");
        Path logConfig = dir.resolve("log4j2-debug.properties");
        Files.writeString(
                logConfig,
                String.join(
                        "\n",
                        "rootLogger.level = DEBUG",
                        "rootLogger.appenderRef.file.ref = file",
                        "appender.file.type = File",
                        "appender.file.name = file",
                        "appender.file.fileName = " + log,
                        "appender.file.layout.type = PatternLayout",
                        "appender.file.layout.pattern = %p %c - %m%n%ex",
                        ""));
        BinPpml r =
                BinPpml.run(
                        dir,
                        Map.of("PPML_LOG_CONFIG", logConfig.toString()),
                        "demo",
                        "--rows",
                        "3000",
                        "--dir",
                        dir.resolve("demo").toString(),
                        "-p",
                        "2");
        String captured = Files.readString(log, StandardCharsets.UTF_8);

        assertThat(r.exitCode).as(r.toString()).isZero();
        assertThat(r.out).contains("demo OK: every step verified").doesNotContain("FAIL");
        assertThat(captured.length()).as("DEBUG logs were captured").isGreaterThan(10_000);
        assertThat(captured)
                .contains("SIMULATED 'sample' TEE evidence")
                .contains("Development key broker released resource default/key/people");
        assertThat(r.out).contains("kbs://127.0.0.1:");

        Path keystore = dir.resolve("demo/kbs-resources/default/key/people");
        assertThat(KeyMaterial.secretForms(keystore)).isNotEmpty();
        assertThat(KeyMaterial.leakedInto(captured, keystore)).isEmpty();
        assertThat(KeyMaterial.leakedInto(r.out + r.err, keystore)).isEmpty();
        for (Path p : Files.walk(dir.resolve("demo")).filter(Files::isRegularFile).toList()) {
            if (!p.equals(keystore)) {
                assertThat(
                                KeyMaterial.leakedInto(
                                        new String(
                                                Files.readAllBytes(p), StandardCharsets.ISO_8859_1),
                                        keystore))
                        .as("key material in %s", p)
                        .isEmpty();
            }
        }
    }
}
