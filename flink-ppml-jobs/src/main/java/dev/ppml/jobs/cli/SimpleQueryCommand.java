package dev.ppml.jobs.cli;

import dev.ppml.jobs.JobPaths;
import dev.ppml.jobs.SimpleQuery;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ppml simple-query}: the reference job. */
@Command(
        name = "simple-query",
        mixinStandardHelpOptions = true,
        description = {
            "Reads encrypted people, keeps " + SimpleQuery.SQL_CONDITION + ",",
            "writes those rows (name,age,job) encrypted, and prints the row count and the input"
                    + " count per job."
        })
public final class SimpleQueryCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin FlinkOptions flink;

    @Option(
            names = "--key-uri",
            required = true,
            paramLabel = "URI",
            description = "Master key of input and output.")
    String keyUri;

    @Option(
            names = "--input",
            required = true,
            paramLabel = "DIR",
            description = "Encrypted people.")
    String input;

    @Option(
            names = "--output",
            required = true,
            paramLabel = "DIR",
            description = "Output directory (absent or empty).")
    String output;

    @Option(names = "--sql", description = "Run the SQL variant instead of the DataStream one.")
    boolean sql;

    @Override
    public Integer call() throws Exception {
        JobPaths.requireEmptyOutput(JobPaths.of(output), "--output");
        SimpleQuery.Result result =
                sql
                        ? SimpleQuery.runSql(
                                flink.environment(), keyUri, flink.keyService(), input, output)
                        : SimpleQuery.runDataStream(
                                flink.environment(), keyUri, flink.keyService(), input, output);
        PrintWriter w = spec.commandLine().getOut();
        w.printf(
                "simple-query (%s): %d of %d rows kept, written encrypted to %s%n",
                sql ? "SQL" : "DataStream", result.outputRows, result.inputRows(), output);
        w.printf(
                "input rows by job: %s%n",
                result.inputRowsByJob.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(", ")));
        w.printf("output rows: %d%n", result.outputRows);
        w.flush();
        return 0;
    }
}
