package dev.ppml.jobs.cli;

import dev.ppml.jobs.SimpleQuery;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
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
        SimpleQuery.Parameters parameters =
                new SimpleQuery.Parameters(
                        keyUri,
                        input,
                        output,
                        sql ? SimpleQuery.Api.SQL : SimpleQuery.Api.DATASTREAM);
        SimpleQuery.Result result = SimpleQuery.run(flink.environment(), parameters);
        PrintWriter w = spec.commandLine().getOut();
        result.summary(parameters).forEach(w::println);
        w.flush();
        return 0;
    }
}
