package dev.ppml.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Argument handling of every command, each in a fresh {@code bin/ppml} process. */
class PpmlCliITCase {

    @TempDir Path dir;

    @Test
    void aMissingKeystoreIsReportedWithTheCommandThatCreatesIt() throws Exception {
        Path people = dir.resolve("people.csv");
        Files.writeString(people, "name,age,job\nann,30,Developer\n");
        String keyUri = "local:" + dir.resolve("none.keyset.json");
        BinPpml r =
                BinPpml.run(
                        dir,
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
        BinPpml r = BinPpml.run(dir, "--version");
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
    void everyCommandHasHelpAndJobCommandsTakeFlinkOptions() {
        List<String> jobCommands =
                List.of("generate", "encrypt", "decrypt", "simple-query", "sql", "demo");
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
            BinPpml r = BinPpml.run(dir, command, "--help");
            assertThat(r.exitCode).as(command).isZero();
            assertThat(r.out).as(command).contains("Usage: ppml " + command);
            if (jobCommands.contains(command)) {
                assertThat(r.out).as(command).contains("-D=key=value").contains("--parallelism");
            }
        }
        assertThat(BinPpml.run(dir, "keys", "create", "--help").out)
                .contains("--force")
                .contains("-D=key=value");
    }

    @Test
    void anUnknownBenchmarkIsNamedWithTheKnownOnes() {
        BinPpml r = BinPpml.run(dir, "bench", "md5");
        assertThat(r.exitCode).isEqualTo(1);
        assertThat(r.err)
                .contains("unknown benchmark 'md5'; expected one of crc64, aead, sink-local");
    }

    @Test
    void unknownCommandPrintsUsageAndExitsTwo() {
        BinPpml r = BinPpml.run(dir, "frobnicate");
        assertThat(r.exitCode).isEqualTo(2);
        assertThat(r.err).contains("Unmatched argument").contains("Usage: ppml");
        assertThat(r.out).isEmpty();
    }

    @Test
    void noCommandExitsTwoListingCommands() {
        BinPpml r = BinPpml.run(dir);
        assertThat(r.exitCode).isEqualTo(2);
        assertThat(r.err).contains("missing command").contains("simple-query");
    }

    @Test
    void missingRequiredOptionIsNamed() {
        BinPpml r = BinPpml.run(dir, "simple-query", "--input", "x", "--output", "y");
        assertThat(r.exitCode).isEqualTo(2);
        assertThat(r.err).contains("Missing required option: '--key-uri=URI'");
    }

    @Test
    void badNumberIsRejectedWithUsage() {
        BinPpml r = BinPpml.run(dir, "generate", "--rows", "many", "--out", "x.csv");
        assertThat(r.exitCode).isEqualTo(2);
        assertThat(r.err).contains("--rows").contains("many");
    }

    @Test
    void generateEndsWithTheExpectedCount() throws Exception {
        Path csv = dir.resolve("people.csv");
        BinPpml r =
                BinPpml.run(
                        dir, "generate", "--rows", "1000", "--seed", "5", "--out", csv.toString());
        assertThat(r.exitCode).isZero();
        String[] lines = r.out.strip().split("\n");
        assertThat(lines[lines.length - 1]).matches("expected simple-query rows: \\d+");
        assertThat(Files.readAllLines(csv)).hasSize(1001);
    }

    @Test
    void keysCreateWritesOwnerOnlyAndRefusesToOverwrite() throws Exception {
        String uri = "local:" + dir.resolve("k/master.json");
        BinPpml first = BinPpml.run(dir, "keys", "create", "--key-uri", uri);
        assertThat(first.exitCode).isZero();
        assertThat(first.out).contains("created master key " + uri);
        assertThat(
                        PosixFilePermissions.toString(
                                Files.getPosixFilePermissions(dir.resolve("k/master.json"))))
                .isEqualTo("rw-------");

        BinPpml second = BinPpml.run(dir, "keys", "create", "--key-uri", uri);
        assertThat(second.exitCode).isEqualTo(1);
        assertThat(second.err).contains("already exists").contains("--force");

        assertThat(BinPpml.run(dir, "keys", "create", "--key-uri", uri, "--force").exitCode)
                .isZero();
    }

    @Test
    void keysCreateRejectsRemoteSchemes() {
        BinPpml r = BinPpml.run(dir, "keys", "create", "--key-uri", "kbs://h:1/a/b/c");
        assertThat(r.exitCode).isEqualTo(1);
        assertThat(r.err).contains("local development keys only");
    }

    @Test
    void nonEmptyOutputDirectoryIsRefused() throws Exception {
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(out.resolve("old.ppml"), "x");
        BinPpml r =
                BinPpml.run(
                        dir,
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
        BinPpml r = BinPpml.run(dir, "demo", "--dir", mine.toString());
        assertThat(r.exitCode).isEqualTo(1);
        assertThat(r.err).contains("was not made by the demo; choose another directory with --dir");
        assertThat(mine.resolve("thesis.tex")).exists();
    }
}
