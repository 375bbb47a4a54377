package dev.ppml.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ppml.jobs.PeopleGenerator;
import dev.ppml.jobs.SimpleQuery;
import dev.ppml.keys.testing.LocalKeys;
import dev.ppml.oss.testing.OssTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/ppml} encrypt, simple-query and decrypt with {@code oss://} paths, each a fresh
 * process as users run it: credentials from {@code -D fs.oss.*} and from the {@code OSS_*}
 * environment variables README recommends.
 */
class OssPathsITCase {

    @TempDir Path dir;
    private OssTestServer oss;

    @BeforeEach
    void start() throws Exception {
        oss = OssTestServer.start();
        oss.createBucket("ppml-data");
    }

    @AfterEach
    void stop() {
        oss.close();
    }

    @Test
    void encryptQueryAndDecryptWithDashDOptions() throws Exception {
        String[] ossOptions = {
            "-D", "fs.oss.endpoint=" + oss.endpoint(),
            "-D", "fs.oss.accessKeyId=" + OssTestServer.ACCESS_KEY_ID,
            "-D", "fs.oss.accessKeySecret=" + OssTestServer.ACCESS_KEY_SECRET
        };
        roundTrip(Map.of(), ossOptions);
    }

    @Test
    void encryptQueryAndDecryptWithTheEnvironmentVariables() throws Exception {
        roundTrip(ossEnvironment());
    }

    @Test
    void aQueryThatKeepsNoRowsLeavesAnEmptyResultDirectory() throws Exception {
        Map<String, String> env = ossEnvironment();
        String keyUri = LocalKeys.create(dir, "master");
        Path people = dir.resolve("people.csv");
        Files.writeString(people, "name,age,job\nann,30,Doctor\nbob,70,Developer\n");
        BinPpml enc =
                ppml(
                        env,
                        "encrypt",
                        "--key-uri",
                        keyUri,
                        "--in",
                        people.toString(),
                        "--out",
                        "oss://ppml-data/people");
        assertThat(enc.exitCode).as(enc.toString()).isZero();

        for (String output : List.of("oss://ppml-data/none", dir.resolve("none").toString())) {
            BinPpml q =
                    ppml(
                            env,
                            "simple-query",
                            "--key-uri",
                            keyUri,
                            "--input",
                            "oss://ppml-data/people",
                            "--output",
                            output);
            assertThat(q.exitCode).as(q.toString()).isZero();
            assertThat(q.out).contains("0 of 2 rows kept, written encrypted to " + output);
            BinPpml dec =
                    ppml(
                            env,
                            "decrypt",
                            "--key-uri",
                            keyUri,
                            "--in",
                            output,
                            "--out",
                            dir.resolve("none.csv").toString());
            assertThat(dec.exitCode).as(dec.toString()).isZero();
            assertThat(dec.out).contains("decrypted 0 rows from " + output);
        }
        assertThat(oss.keys("ppml-data")).contains("none/");
        assertThat(dir.resolve("none")).isEmptyDirectory();
    }

    private void roundTrip(Map<String, String> env, String... ossOptions) throws Exception {
        String keyUri = LocalKeys.create(dir, "master");
        Path people = dir.resolve("people.csv");
        long expected = PeopleGenerator.generate(3_000, 5, people, SimpleQuery::matches, n -> {});
        BinPpml enc =
                ppml(
                        env,
                        concat(
                                ossOptions,
                                "encrypt",
                                "--key-uri",
                                keyUri,
                                "--in",
                                people.toString(),
                                "--out",
                                "oss://ppml-data/people"));
        assertThat(enc.exitCode).as(enc.toString()).isZero();
        assertThat(oss.keys("ppml-data")).anyMatch(k -> k.startsWith("people/part-"));

        BinPpml q =
                ppml(
                        env,
                        concat(
                                ossOptions,
                                "simple-query",
                                "--key-uri",
                                keyUri,
                                "--input",
                                "oss://ppml-data/people",
                                "--output",
                                "oss://ppml-data/result"));
        assertThat(q.exitCode).as(q.toString()).isZero();
        assertThat(q.out).contains("output rows: " + expected);

        Path csv = dir.resolve("result.csv");
        BinPpml dec =
                ppml(
                        env,
                        concat(
                                ossOptions,
                                "decrypt",
                                "--key-uri",
                                keyUri,
                                "--in",
                                "oss://ppml-data/result",
                                "--out",
                                csv.toString()));
        assertThat(dec.exitCode).as(dec.toString()).isZero();
        assertThat(Files.readAllLines(csv)).hasSize((int) expected + 1);
        assertThat(String.join("\n", enc.toString(), q.toString(), dec.toString()))
                .doesNotContain(OssTestServer.ACCESS_KEY_SECRET);
    }

    /** The test server's endpoint and credentials as the variables README recommends. */
    private Map<String, String> ossEnvironment() {
        return Map.of(
                "OSS_ENDPOINT", oss.endpoint(),
                "OSS_ACCESS_KEY_ID", OssTestServer.ACCESS_KEY_ID,
                "OSS_ACCESS_KEY_SECRET", OssTestServer.ACCESS_KEY_SECRET);
    }

    private BinPpml ppml(Map<String, String> env, String... args) {
        return BinPpml.run(dir, env, args);
    }

    private static String[] concat(String[] options, String... command) {
        List<String> all = new ArrayList<>(Arrays.asList(command));
        all.addAll(Arrays.asList(options));
        return all.toArray(String[]::new);
    }
}
