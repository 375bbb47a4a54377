package dev.ppml.jobs.cli;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code bin/ppml} as users do: a fresh process per command, in a working directory of the
 * test's choosing, with the jar Maven has just packaged ({@code PPML_NO_BUILD} stops the script
 * from starting a build of its own). Only for ITCases: the jar exists from the package phase on.
 */
final class BinPpml {
    private static final long TIMEOUT_MINUTES = 5;

    final int exitCode;
    final String out;
    final String err;

    private BinPpml(int exitCode, String out, String err) {
        this.exitCode = exitCode;
        this.out = out;
        this.err = err;
    }

    /** The first line written to stderr, or "" — what a user reads first. */
    String errFirstLine() {
        return err.lines().findFirst().orElse("");
    }

    static BinPpml run(Path workDir, String... args) {
        return run(workDir, Map.of(), args);
    }

    static BinPpml run(Path workDir, Map<String, String> env, String... args) {
        Path script = root().resolve("bin").resolve("ppml");
        List<String> command = new ArrayList<>();
        command.add(script.toString());
        command.addAll(Arrays.asList(args));
        try {
            Path out = Files.createTempFile("bin-ppml", ".out");
            Path err = Files.createTempFile("bin-ppml", ".err");
            try {
                ProcessBuilder pb =
                        new ProcessBuilder(command)
                                .directory(workDir.toFile())
                                .redirectOutput(out.toFile())
                                .redirectError(err.toFile());
                pb.environment().put("PPML_NO_BUILD", "1");
                pb.environment().putAll(env);
                Process process = pb.start();
                if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    throw new AssertionError(
                            "bin/ppml "
                                    + String.join(" ", args)
                                    + " did not end within "
                                    + TIMEOUT_MINUTES
                                    + " minutes; stderr so far:\n"
                                    + Files.readString(err, StandardCharsets.UTF_8));
                }
                return new BinPpml(
                        process.exitValue(),
                        Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while bin/ppml ran", e);
        }
    }

    /** The checkout: set by failsafe ({@code ppml.root}), else found from the working directory. */
    static Path root() {
        String configured = System.getProperty("ppml.root");
        if (configured != null) {
            return Paths.get(configured).toAbsolutePath().normalize();
        }
        for (File dir = new File("").getAbsoluteFile(); dir != null; dir = dir.getParentFile()) {
            if (new File(dir, "bin/ppml").isFile()) {
                return dir.toPath();
            }
        }
        throw new IllegalStateException(
                "cannot find bin/ppml above " + new File("").getAbsolutePath());
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
