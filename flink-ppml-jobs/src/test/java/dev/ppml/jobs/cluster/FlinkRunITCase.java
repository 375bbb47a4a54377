package dev.ppml.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ppml.connector.format.PpmlFiles;
import dev.ppml.connector.keys.MasterKey;
import dev.ppml.jobs.DecryptJob;
import dev.ppml.jobs.EncryptJob;
import dev.ppml.jobs.PeopleGenerator;
import dev.ppml.jobs.SimpleQuery;
import dev.ppml.keys.testing.LocalKeys;
import dev.ppml.oss.testing.OssTestServer;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jobs jar under {@code flink run} on real Flink processes (not a MiniCluster): the
 * cluster's classpath is Flink alone, so this proves the jar carries the connector, Tink and the
 * {@code ppml} table format (service files merged), for both SimpleQuery variants.
 */
class FlinkRunITCase {

    private static final Path TARGET = Path.of("target");
    private static final Path JOBS_JAR = Path.of(System.getProperty("jobs.jar")).toAbsolutePath();
    private static final Path OSS_PLUGIN_JAR =
            Path.of(System.getProperty("oss.plugin.jar")).toAbsolutePath();

    @TempDir Path dir;

    @Test
    void simpleQueryRunsWithFlinkRunOnARealCluster() throws Exception {
        Path jar = JOBS_JAR;
        assertThat(jar).as("the shaded jar (built in the package phase)").exists();
        String keyUri = LocalKeys.create(dir, "master");
        Path people = dir.resolve("people.csv");
        long expected = PeopleGenerator.generate(5_000, 9, people, SimpleQuery::matches, n -> {});
        String encrypted = dir.resolve("enc").toUri().toString();
        EncryptJob.run(
                StreamExecutionEnvironment.getExecutionEnvironment(),
                new EncryptJob.Parameters(keyUri, people.toString(), encrypted, true));

        try (FlinkProcesses flink =
                FlinkProcesses.start(
                        dir.resolve("flink"), TARGET.resolve("flink-lib-classpath.txt"))) {
            for (String variant : new String[] {"ds", "sql"}) {
                String output = dir.resolve("out-" + variant).toUri().toString();
                FlinkProcesses.Result r =
                        variant.equals("sql")
                                ? flink.run(
                                        jar,
                                        "--key-uri",
                                        keyUri,
                                        "--input",
                                        encrypted,
                                        "--output",
                                        output,
                                        "--sql")
                                : flink.run(
                                        jar,
                                        "--key-uri",
                                        keyUri,
                                        "--input",
                                        encrypted,
                                        "--output",
                                        output);
                assertThat(r.exitCode).as(r.output + flink.log("taskmanager")).isZero();
                assertThat(r.output).contains("output rows: " + expected);

                Path csv = dir.resolve(variant + ".csv");
                assertThat(
                                DecryptJob.run(
                                        StreamExecutionEnvironment.getExecutionEnvironment(),
                                        new DecryptJob.Parameters(
                                                keyUri, output, csv.toString(), true)))
                        .isEqualTo(expected);
                assertThat(Files.readAllLines(csv).get(0)).isEqualTo("name,age,job");
            }
            assertThat(flink.log("taskmanager")).doesNotContain("Exception");
        }
    }

    @Test
    void theOssFileSystemLoadsAsAFlinkPlugin() throws Exception {
        Path jar = JOBS_JAR;
        Path plugin =
                Path.of("../flink-ppml-oss-fs/target/flink-ppml-oss-fs-0.1.0-SNAPSHOT-plugin.jar");
        assertThat(plugin).as("the oss plugin jar (built by flink-ppml-oss-fs)").exists();
        String keyUri = LocalKeys.create(dir, "master");
        Path people = dir.resolve("people.csv");
        long expected = PeopleGenerator.generate(2_000, 4, people, SimpleQuery::matches, n -> {});
        String encrypted = dir.resolve("enc").toUri().toString();
        EncryptJob.run(
                StreamExecutionEnvironment.getExecutionEnvironment(),
                new EncryptJob.Parameters(keyUri, people.toString(), encrypted, true));

        try (OssTestServer oss = OssTestServer.start()) {
            oss.createBucket("ppml-out");
            Path home = dir.resolve("flink-oss");
            Files.createDirectories(home.resolve("plugins/ppml-oss"));
            Files.copy(plugin, home.resolve("plugins/ppml-oss/ppml-oss.jar"));
            try (FlinkProcesses flink =
                    FlinkProcesses.start(
                            home,
                            TARGET.resolve("flink-lib-classpath.txt"),
                            Map.of(
                                    "fs.oss.endpoint", oss.endpoint(),
                                    "fs.oss.accessKeyId", OssTestServer.ACCESS_KEY_ID,
                                    "fs.oss.accessKeySecret", OssTestServer.ACCESS_KEY_SECRET))) {
                FlinkProcesses.Result r =
                        flink.run(
                                jar,
                                "--key-uri",
                                keyUri,
                                "--input",
                                encrypted,
                                "--output",
                                "oss://ppml-out/result");
                assertThat(r.exitCode).as(r.output + flink.log("taskmanager")).isZero();
                assertThat(r.output).contains("output rows: " + expected);
            }
            long rows = 0;
            for (String key : oss.keys("ppml-out")) {
                try (InputStream in =
                        PpmlFiles.decrypt(
                                new ByteArrayInputStream(oss.objectBytes("ppml-out", key)),
                                MasterKey.of(keyUri),
                                key)) {
                    rows +=
                            new String(in.readAllBytes(), StandardCharsets.UTF_8)
                                    .lines()
                                    .skip(1)
                                    .count();
                }
            }
            assertThat(rows).isEqualTo(expected);
        }
    }
}
