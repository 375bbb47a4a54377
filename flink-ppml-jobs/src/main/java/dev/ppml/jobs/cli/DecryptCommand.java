package dev.ppml.jobs.cli;

import dev.ppml.jobs.DecryptJob;
import dev.ppml.jobs.JobPaths;
import dev.ppml.jobs.Progress;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ppml decrypt}: a directory of ppml CSV files to one plaintext CSV file. */
@Command(
        name = "decrypt",
        mixinStandardHelpOptions = true,
        description =
                "Decrypts a directory of ppml CSV files into one plaintext CSV file, keeping one header line.")
public final class DecryptCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin FlinkOptions flink;

    @Option(names = "--key-uri", required = true, paramLabel = "URI", description = "Master key.")
    String keyUri;

    @Option(
            names = {"--input", "--in"},
            required = true,
            paramLabel = "DIR",
            description = "Directory of ppml files.")
    String in;

    @Option(
            names = {"--output", "--out"},
            required = true,
            paramLabel = "PATH",
            description = "Plaintext CSV file to write (replaced only when decryption succeeds).")
    String out;

    @Option(names = "--no-header", description = "The files have no header line.")
    boolean noHeader;

    @Option(
            names = "--table-id",
            paramLabel = "ID",
            description =
                    "Reads only files bound to this table (written with the same --table-id or 'ppml.table-id'): a file of another table, or of none, fails the decrypt naming it.")
    String tableId;

    @Override
    public Integer call() throws Exception {
        Progress.reset();
        // The environment first: it configures the file systems (fs.oss.* from -D) that reading
        // the input's size needs.
        StreamExecutionEnvironment env = flink.environment();
        long total = JobPaths.totalSize(JobPaths.of(in));
        long rows;
        try (ProgressBar bar = ProgressBar.start("decrypting", total, Progress::bytes)) {
            rows =
                    DecryptJob.run(
                            env, new DecryptJob.Parameters(keyUri, in, out, !noHeader, tableId));
        }
        PrintWriter w = spec.commandLine().getOut();
        w.printf("decrypted %d rows from %s into %s%n", rows, in, out);
        w.flush();
        return 0;
    }
}
