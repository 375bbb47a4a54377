package dev.ppml.jobs;

import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.ppml.connector.sink.EncryptedFileSink;
import dev.ppml.keys.KeyServiceOptions;
import dev.ppml.oss.OssMetrics;
import javax.annotation.Nullable;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;

/**
 * Encrypts plaintext CSV (a file or a directory of files) into a directory of ppml files, one or
 * more per parallel writer, keeping the header record at the top of each encrypted file.
 *
 * <p>CSV is read and moved by record (RFC 4180: a quoted field may hold line breaks), never by
 * line, and each record keeps its exact bytes, terminator included ({@link PlainRecordsFormat},
 * {@link PlainRecordWriter}).
 */
public final class EncryptJob {
    static final String ROWS = "encrypt.rows";

    private EncryptJob() {}

    /**
     * What to encrypt.
     *
     * @param header whether the input starts with a header record, kept at the top of every file
     * @param tableId the table the files are bound to (written into each file's authenticated
     *     header), or null
     */
    public record Parameters(
            String keyUri, String input, String output, boolean header, @Nullable String tableId) {
        public Parameters {
            checkNotNull(keyUri, "the key URI must be set");
            checkNotNull(input, "the input must be set");
            checkNotNull(output, "the output must be set");
        }

        /** Files not bound to a table. */
        public Parameters(String keyUri, String input, String output, boolean header) {
            this(keyUri, input, output, header, null);
        }
    }

    /**
     * Runs the job; returns the number of data rows encrypted: CSV records, not lines (the header
     * and empty lines not counted). Key-service options come from the environment's Flink
     * configuration ({@code ppml.key-service.*}).
     */
    public static long run(StreamExecutionEnvironment env, Parameters parameters) throws Exception {
        Path in = JobPaths.of(parameters.input());
        Path out = JobPaths.of(parameters.output());
        JobPaths.requireEmptyOutput(out);
        KeyServiceOptions keyService = SimpleQuery.keyServiceOptions(env);
        String keyUri = parameters.keyUri();
        boolean header = parameters.header();
        byte[] headerRecord = header ? PlainRecordsFormat.firstRecord(in) : null;
        EncryptedFileSink.Builder<byte[]> sink =
                EncryptedFileSink.forRecordFormat(out, PlainRecordWriter.encoder(headerRecord))
                        .withKeyUri(keyUri)
                        .withKeyServiceOptions(keyService)
                        .withBucketAssigner(new BasePathBucketAssigner<>());
        if (parameters.tableId() != null) {
            sink.withTableId(parameters.tableId());
        }
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.fromSource(
                        FileSource.forBulkFileFormat(new PlainRecordsFormat(header), in).build(),
                        WatermarkStrategy.noWatermarks(),
                        "plaintext csv")
                .map(new CountRows())
                .name("count rows")
                // one reader per input file: spread the records over all parallel writers
                .rebalance()
                .sinkTo(sink.build())
                .name("encrypted files");
        JobExecutionResult result = env.execute("encrypt " + in.getName());
        Long rows = result.getAccumulatorResult(ROWS);
        return rows == null ? 0 : rows;
    }

    private static final class CountRows extends RichMapFunction<byte[], byte[]> {
        private final LongCounter rows = new LongCounter();

        @Override
        public void open(OpenContext context) {
            getRuntimeContext().addAccumulator(ROWS, rows);
            // oss:// upload and verification counters, under this operator's metrics
            OssMetrics.registerOn(getRuntimeContext().getMetricGroup());
        }

        @Override
        public byte[] map(byte[] record) {
            if (!PlainRecordWriter.isBlank(record)) {
                rows.add(1);
            }
            return record;
        }
    }
}
