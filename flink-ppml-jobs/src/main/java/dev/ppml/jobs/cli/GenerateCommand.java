package dev.ppml.jobs.cli;

import dev.ppml.jobs.PeopleGenerator;
import dev.ppml.jobs.SimpleQuery;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ppml generate}: writes the people CSV of SimpleQuery. */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = {
            "Generates people CSV (name,age,job with a header line): names of 3-7 lowercase"
                    + " letters, ages 18-60, jobs Developer/Engineer/Researcher.",
            "The last line printed is 'expected simple-query rows: K'."
        })
public final class GenerateCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    /** Accepted like every command's; generating runs no Flink job. */
    @Mixin FlinkOptions flink;

    @Option(names = "--rows", required = true, paramLabel = "N", description = "Rows to write.")
    long rows;

    @Option(
            names = "--seed",
            paramLabel = "S",
            description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed = 42;

    @Option(
            names = {"--output", "--out"},
            required = true,
            paramLabel = "FILE",
            description = "Output CSV file.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (rows < 0) {
            throw new IllegalArgumentException("--rows must be >= 0, was " + rows);
        }
        PrintWriter w = spec.commandLine().getOut();
        AtomicLong written = new AtomicLong();
        long expected;
        try (ProgressBar bar = ProgressBar.start("generating", rows, written::get)) {
            expected =
                    PeopleGenerator.generate(rows, seed, out, SimpleQuery::matches, written::set);
        }
        w.printf("wrote %d people to %s (%d bytes, seed %d)%n", rows, out, Files.size(out), seed);
        w.printf("expected simple-query rows: %d%n", expected);
        w.flush();
        return 0;
    }
}
