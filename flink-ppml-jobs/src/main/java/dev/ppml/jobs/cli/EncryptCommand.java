package dev.ppml.jobs.cli;

import dev.ppml.jobs.EncryptJob;
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

/** {@code ppml encrypt}: plaintext CSV to a directory of ppml files. */
@Command(
        name = "encrypt",
        mixinStandardHelpOptions = true,
        description =
                "Encrypts a plaintext CSV file (or directory) into a directory of ppml files.")
public final class EncryptCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin FlinkOptions flink;

    @Option(names = "--key-uri", required = true, paramLabel = "URI", description = "Master key.")
    String keyUri;

    @Option(
            names = {"--input", "--in"},
            required = true,
            paramLabel = "PATH",
            description = "Plaintext CSV.")
    String in;

    @Option(
            names = {"--output", "--out"},
            required = true,
            paramLabel = "DIR",
            description = "Output directory (absent or empty).")
    String out;

    @Option(names = "--no-header", description = "The input has no header line.")
    boolean noHeader;

    @Option(
            names = "--table-id",
            paramLabel = "ID",
            description =
                    "Binds the files to this table: the id goes into every file's authenticated header, and a decrypt (or SQL read) given another id refuses them.")
    String tableId;

    @Override
    public Integer call() throws Exception {
        Progress.reset();
        // The environment first: it configures the file systems (fs.oss.* from -D) that reading
        // the input's size needs.
        StreamExecutionEnvironment env = flink.environment();
        long total = JobPaths.totalSize(JobPaths.of(in));
        long rows;
        try (ProgressBar bar = ProgressBar.start("encrypting", total, Progress::bytes)) {
            rows =
                    EncryptJob.run(
                            env, new EncryptJob.Parameters(keyUri, in, out, !noHeader, tableId));
        }
        PrintWriter w = spec.commandLine().getOut();
        w.printf("encrypted %d rows (%d bytes) from %s into %s%n", rows, total, in, out);
        w.flush();
        return 0;
    }
}
