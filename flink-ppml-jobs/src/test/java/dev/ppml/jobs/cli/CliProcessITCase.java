package dev.ppml.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/ppml} in a fresh process: what a user sees first, and its exit codes. */
class CliProcessITCase {
    @TempDir Path dir;

    @Test
    void versionComesFromTheBuild() {
        BinPpml ppml = BinPpml.run(dir, "--version");
        assertThat(ppml.exitCode).as(ppml.toString()).isZero();
        assertThat(ppml.out).startsWith("flink-ppml ").contains("(Flink 2.3").doesNotContain("${");
    }

    @Test
    void anUnknownCommandFailsWithUsageOnStderr() {
        BinPpml ppml = BinPpml.run(dir, "no-such-command");
        assertThat(ppml.exitCode).as(ppml.toString()).isNotZero();
        assertThat(ppml.err).contains("no-such-command");
        assertThat(ppml.out).isEmpty();
    }
}
