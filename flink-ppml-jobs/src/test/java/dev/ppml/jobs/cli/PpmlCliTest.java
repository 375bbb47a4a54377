package dev.ppml.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Argument handling of every command; nothing here starts a cluster. */
class PpmlCliTest {

    @TempDir Path dir;

    @Test
    void aMissingKeystoreIsReportedWithTheCommandThatCreatesIt() throws Exception {
        Path people = dir.resolve("people.csv");
        Files.writeString(people, "name,age,job\nann,30,Developer\n");
        String keyUri = "local:" + dir.resolve("none.keyset.json");
        CliRunner r =
                CliRunner.run(
                        "encrypt",
                        "--key-uri",
                        keyUri,
                        "--input",
                        people.toString(),
                        "--output",
                        dir.resolve("enc").toString());
        assertThat(r.exitCode).isEqualTo(1);
        assertThat(r.err)
                .contains("does not exist; create a development keystore there first")
                .contains("create it with: bin/ppml keys create --key-uri " + keyUri);
    }

    @Test
    void versionComesFromTheBuild() {
        CliRunner r = CliRunner.run("--version");
        assertThat(r.exitCode).isZero();
        assertThat(r.out.trim())
                .isEqualTo(
                        "flink-ppml "
                                + System.getProperty("project.version")
                                + " (Flink "
                                + System.getProperty("flink.version")
                                + ")");
    }

    @Test
    void everyCommandHasHelp() {
        for (String command :
                List.of(
                        "generate",
                        "keys",
                        "encrypt",
                        "decrypt",
                        "simple-query",
                        "sql",
                        "attest",
                        "kbs",
                        "bench",
                        "demo")) {
            CliRunner r = CliRunner.run(command, "--help");
            assertThat(r.exitCode).as(command).isZero();
            assertThat(r.out).as(command).contains("Usage: ppml " + command);
        }
        assertThat(CliRunner.run("keys", "create", "--help").out)
                .contains("--force")
                .contains("-D=key=value");
    }

    @Test
    void jobCommandsTakeFlinkOptions() {
        for (String command :
                List.of("generate", "encrypt", "decrypt", "simple-query", "sql", "demo")) {
            assertThat(CliRunner.run(command, "--help").out)
                    .as(command)
                    .contains("-D=key=value")
                    .contains("--parallelism");
        }
    }

    @Test
    void benchPrintsEachCandidateAndTheRatio() {
        CliRunner r = CliRunner.run("bench", "crc64", "--mib", "1", "--rounds", "1");
        assertThat(r.exitCode).isZero();
        assertThat(r.out)
                .containsPattern("ppml Crc64 +[0-9.]+ GB/s")
                .containsPattern("OSS SDK CRC64 +[0-9.]+ GB/s")
                .containsPattern("ratio ppml Crc64 / OSS SDK CRC64: [0-9.]+x");
        assertThat(CliRunner.run("bench", "md5").err).contains("unknown benchmark 'md5'");
    }

    @Test
    void unknownCommandPrintsUsageAndExitsTwo() {
        CliRunner r = CliRunner.run("frobnicate");
        assertThat(r.exitCode).isEqualTo(2);
        assertThat(r.err).contains("Unmatched argument").contains("Usage: ppml");
    }

    @Test
    void noCommandExitsTwoListingCommands() {
        CliRunner r = CliRunner.run();
        assertThat(r.exitCode).isEqualTo(2);
        assertThat(r.err).contains("missing command").contains("simple-query");
    }

    @Test
    void missingRequiredOptionIsNamed() {
        CliRunner r = CliRunner.run("simple-query", "--input", "x", "--output", "y");
        assertThat(r.exitCode).isEqualTo(2);
        assertThat(r.err).contains("Missing required option: '--key-uri=URI'");
    }

    @Test
    void badNumberIsRejectedWithUsage() {
        CliRunner r = CliRunner.run("generate", "--rows", "many", "--out", "x.csv");
        assertThat(r.exitCode).isEqualTo(2);
        assertThat(r.err).contains("--rows").contains("many");
    }

    @Test
    void generateEndsWithTheExpectedCount() throws Exception {
        Path csv = dir.resolve("people.csv");
        CliRunner r =
                CliRunner.run("generate", "--rows", "1000", "--seed", "5", "--out", csv.toString());
        assertThat(r.exitCode).isZero();
        String[] lines = r.out.strip().split("\n");
        assertThat(lines[lines.length - 1]).matches("expected simple-query rows: \\d+");
        assertThat(Files.readAllLines(csv)).hasSize(1001);
    }

    @Test
    void keysCreateWritesOwnerOnlyAndRefusesToOverwrite() throws Exception {
        String uri = "local:" + dir.resolve("k/master.json");
        CliRunner first = CliRunner.run("keys", "create", "--key-uri", uri);
        assertThat(first.exitCode).isZero();
        assertThat(first.out).contains("created master key " + uri);
        assertThat(
                        PosixFilePermissions.toString(
                                Files.getPosixFilePermissions(dir.resolve("k/master.json"))))
                .isEqualTo("rw-------");

        CliRunner second = CliRunner.run("keys", "create", "--key-uri", uri);
        assertThat(second.exitCode).isEqualTo(1);
        assertThat(second.err).contains("already exists").contains("--force");

        assertThat(CliRunner.run("keys", "create", "--key-uri", uri, "--force").exitCode).isZero();
    }

    @Test
    void keysCreateRejectsRemoteSchemes() {
        CliRunner r = CliRunner.run("keys", "create", "--key-uri", "kbs://h:1/a/b/c");
        assertThat(r.exitCode).isEqualTo(1);
        assertThat(r.err).contains("local development keys only");
    }

    @Test
    void nonEmptyOutputDirectoryIsRefused() throws Exception {
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(out.resolve("old.ppml"), "x");
        CliRunner r =
                CliRunner.run(
                        "simple-query",
                        "--key-uri",
                        "local:/x",
                        "--input",
                        "in",
                        "--output",
                        out.toString());
        assertThat(r.exitCode).isEqualTo(1);
        assertThat(r.err).contains("is not empty").contains("--output");
    }

    @Test
    void demoRefusesToWipeADirectoryItDidNotMake() throws Exception {
        Path mine = Files.createDirectories(dir.resolve("precious"));
        Files.writeString(mine.resolve("thesis.tex"), "x");
        CliRunner r = CliRunner.run("demo", "--dir", mine.toString());
        assertThat(r.exitCode).isEqualTo(1);
        assertThat(r.err).contains("was not made by the demo; choose another directory with --dir");
        assertThat(mine.resolve("thesis.tex")).exists();
    }
}
