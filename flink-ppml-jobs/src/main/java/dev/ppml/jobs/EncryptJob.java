package dev.ppml.jobs;

import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.ppml.connector.format.RecordEncoders;
import dev.ppml.connector.sink.EncryptedFileSink;
import dev.ppml.keys.KeyServiceOptions;
import dev.ppml.oss.OssMetrics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import javax.annotation.Nullable;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;

/**
 * Encrypts plaintext CSV (a file or a directory of files) into a directory of ppml files, one or
 * more per parallel writer, keeping the header line at the top of each encrypted file.
 */
public final class EncryptJob {
    static final String ROWS = "encrypt.rows";

    private EncryptJob() {}

    /**
     * What to encrypt.
     *
     * @param header whether the input starts with a header line, kept at the top of every file
     */
    public record Parameters(String keyUri, String input, String output, boolean header) {
        public Parameters {
            checkNotNull(keyUri, "the key URI must be set");
            checkNotNull(input, "the input must be set");
            checkNotNull(output, "the output must be set");
        }
    }

    /**
     * Runs the job; returns the number of data rows encrypted (header lines not counted).
     * Key-service options come from the environment's Flink configuration ({@code
     * ppml.key-service.*}).
     */
    public static long run(StreamExecutionEnvironment env, Parameters parameters) throws Exception {
        Path in = JobPaths.of(parameters.input());
        Path out = JobPaths.of(parameters.output());
        JobPaths.requireEmptyOutput(out);
        KeyServiceOptions keyService = SimpleQuery.keyServiceOptions(env);
        String keyUri = parameters.keyUri();
        boolean header = parameters.header();
        String headerLine = header ? firstLine(in) : null;
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.fromSource(
                        FileSource.forRecordStreamFormat(new PlainLinesFormat(header), in).build(),
                        WatermarkStrategy.noWatermarks(),
                        "plaintext csv")
                .map(new CountRows())
                .name("count rows")
                // one reader per input file: spread the rows over all parallel writers
                .rebalance()
                .sinkTo(
                        EncryptedFileSink.forRecordFormat(
                                        out,
                                        RecordEncoders.lines(
                                                new SimpleStringSchema(), headerLine, "csv"))
                                .withKeyUri(keyUri)
                                .withKeyServiceOptions(keyService)
                                .withBucketAssigner(new BasePathBucketAssigner<>())
                                .build())
                .name("encrypted files");
        JobExecutionResult result = env.execute("encrypt " + in.getName());
        Long rows = result.getAccumulatorResult(ROWS);
        return rows == null ? 0 : rows;
    }

    /** The first line of the input (of its first file, for a directory); null if empty. */
    @Nullable
    static String firstLine(Path path) throws IOException {
        FileSystem fs = path.getFileSystem();
        FileStatus status = fs.getFileStatus(path);
        Path file = path;
        if (status.isDir()) {
            FileStatus[] children = fs.listStatus(path);
            file =
                    Arrays.stream(children)
                            .filter(c -> !c.isDir())
                            .map(FileStatus::getPath)
                            .filter(
                                    p ->
                                            !p.getName().startsWith(".")
                                                    && !p.getName().startsWith("_"))
                            .min(Comparator.comparing(Path::getName))
                            .orElseThrow(
                                    () ->
                                            new IllegalArgumentException(
                                                    "input directory " + path + " has no files"));
        }
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
            return reader.readLine();
        }
    }

    private static final class CountRows extends RichMapFunction<String, String> {
        private final LongCounter rows = new LongCounter();

        @Override
        public void open(OpenContext context) {
            getRuntimeContext().addAccumulator(ROWS, rows);
            // oss:// upload and verification counters, under this operator's metrics
            OssMetrics.registerOn(getRuntimeContext().getMetricGroup());
        }

        @Override
        public String map(String line) {
            rows.add(1);
            return line;
        }
    }
}
