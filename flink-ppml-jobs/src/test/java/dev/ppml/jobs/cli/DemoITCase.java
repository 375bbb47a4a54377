package dev.ppml.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ppml.keys.testing.KeyMaterial;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ppml demo} end to end, in-process, with every logger of every library at DEBUG captured:
 * the demo verifies its own result through the key broker's attestation path, and no form of the
 * master key (raw hex, Base64, the keyset's serialized value) appears in the logs, the output or
 * any file but the broker's resource itself.
 */
class DemoITCase {

    @TempDir Path dir;

    @Test
    void demoSucceedsAndNoKeyMaterialReachesLogsOrOutput() throws Exception {
        StringWriter logs = new StringWriter();
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        WriterAppender appender =
                WriterAppender.createAppender(
                        PatternLayout.newBuilder().withPattern("%p %c - %m%n%ex").build(),
                        null,
                        logs,
                        "capture",
                        false,
                        true);
        appender.start();
        LoggerConfig root = config.getRootLogger();
        Level before = root.getLevel();
        root.addAppender(appender, Level.DEBUG, null);
        root.setLevel(Level.DEBUG);
        config.getLoggerConfig("dev.ppml").setLevel(Level.DEBUG);
        ctx.updateLoggers();
        CliRunner r;
        try {
            r =
                    CliRunner.run(
                            "demo",
                            "--rows",
                            "3000",
                            "--dir",
                            dir.resolve("demo").toString(),
                            "-p",
                            "2");
        } finally {
            root.removeAppender("capture");
            root.setLevel(before);
            ctx.updateLoggers();
            appender.stop();
        }

        assertThat(r.exitCode).as(r.out + r.err).isZero();
        assertThat(r.out).contains("demo OK: every step verified").doesNotContain("FAIL");
        String captured = logs.toString();
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
