package dev.ppml.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ppml.jobs.PeopleGenerator;
import dev.ppml.jobs.SimpleQuery;
import dev.ppml.keys.testing.LocalKeys;
import dev.ppml.oss.testutils.OssTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/ppml encrypt, simple-query and decrypt with oss:// paths and -D fs.oss.* options. */
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
    void encryptQueryAndDecryptOnOss() throws Exception {
        String keyUri = LocalKeys.create(dir, "master");
        Path people = dir.resolve("people.csv");
        long expected = PeopleGenerator.generate(3_000, 5, people, SimpleQuery::matches, n -> {});
        String[] ossOptions = {
            "-D", "fs.oss.endpoint=" + oss.endpoint(),
            "-D", "fs.oss.accessKeyId=" + OssTestServer.ACCESS_KEY_ID,
            "-D", "fs.oss.accessKeySecret=" + OssTestServer.ACCESS_KEY_SECRET
        };
        CliRunner enc =
                CliRunner.run(
                        concat(
                                new String[] {
                                    "encrypt",
                                    "--key-uri",
                                    keyUri,
                                    "--in",
                                    people.toString(),
                                    "--out",
                                    "oss://ppml-data/people"
                                },
                                ossOptions));
        assertThat(enc.exitCode).as(enc.err).isZero();
        assertThat(oss.keys("ppml-data")).anyMatch(k -> k.startsWith("people/part-"));

        CliRunner q =
                CliRunner.run(
                        concat(
                                new String[] {
                                    "simple-query",
                                    "--key-uri",
                                    keyUri,
                                    "--input",
                                    "oss://ppml-data/people",
                                    "--output",
                                    "oss://ppml-data/result"
                                },
                                ossOptions));
        assertThat(q.exitCode).as(q.err).isZero();
        assertThat(q.out).contains("output rows: " + expected);

        Path csv = dir.resolve("result.csv");
        CliRunner dec =
                CliRunner.run(
                        concat(
                                new String[] {
                                    "decrypt",
                                    "--key-uri",
                                    keyUri,
                                    "--in",
                                    "oss://ppml-data/result",
                                    "--out",
                                    csv.toString()
                                },
                                ossOptions));
        assertThat(dec.exitCode).as(dec.err).isZero();
        assertThat(Files.readAllLines(csv)).hasSize((int) expected + 1);
        assertThat(String.join("\n", enc.out, enc.err, q.out, q.err, dec.out, dec.err))
                .doesNotContain(OssTestServer.ACCESS_KEY_SECRET);
    }

    private static String[] concat(String[] a, String[] b) {
        String[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
