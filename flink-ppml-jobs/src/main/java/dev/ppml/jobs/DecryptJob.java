package dev.ppml.jobs;

import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.ppml.connector.format.CsvRecordReader;
import dev.ppml.connector.format.RecordDecoder;
import dev.ppml.connector.source.EncryptedFileSource;
import dev.ppml.keys.KeyServiceOptions;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.UUID;
import javax.annotation.Nullable;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decrypts a directory of ppml CSV files into one plaintext CSV file, keeping a single header
 * record. The files are decrypted by the job; the client only writes the records it collects to the
 * output file.
 *
 * <p>Records are CSV records (RFC 4180: a quoted field may hold line breaks), written with their
 * exact bytes, terminators included: what {@link EncryptJob} encrypted with one writer decrypts to
 * the very same bytes ({@link PlainRecordWriter} says when a {@code \n} is added).
 *
 * <p>The output appears only complete: the records go to a hidden sibling {@code
 * .NAME.inprogress-UUID}, renamed to the output when the job has succeeded and deleted when it
 * fails, so a failed run leaves an earlier output as it was.
 */
public final class DecryptJob {
    private static final Logger LOG = LoggerFactory.getLogger(DecryptJob.class);

    private DecryptJob() {}

    /**
     * What to decrypt.
     *
     * @param header whether the files start with a header record, written once at the top
     * @param tableId the table every file must be bound to, or null to read files of any table
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
     * Runs the job; returns the number of data rows written: CSV records, not lines (the header and
     * empty lines not counted). Key-service options come from the environment's Flink configuration
     * ({@code ppml.key-service.*}).
     *
     * @throws JobPaths.OutputIsDirectoryException if the output is a directory
     */
    public static long run(StreamExecutionEnvironment env, Parameters parameters) throws Exception {
        Path in = JobPaths.of(parameters.input());
        Path out = JobPaths.of(parameters.output());
        JobPaths.requireFileOutput(out);
        KeyServiceOptions keyService = SimpleQuery.keyServiceOptions(env);
        String keyUri = parameters.keyUri();
        boolean header = parameters.header();
        EncryptedFileSource.Builder<Tuple2<Boolean, byte[]>> source =
                EncryptedFileSource.forRecordFormat(new FirstRecordTagged(), in)
                        .withKeyUri(keyUri)
                        .withKeyServiceOptions(keyService);
        if (parameters.tableId() != null) {
            source.withTableId(parameters.tableId());
        }
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        FileSystem fs = out.getFileSystem();
        Path inProgress =
                new Path(out.getParent(), "." + out.getName() + ".inprogress-" + UUID.randomUUID());
        long rows = 0;
        boolean renamed = false;
        try {
            try (CloseableIterator<Tuple2<Boolean, byte[]>> records =
                            env.fromSource(
                                            source.build(),
                                            WatermarkStrategy.noWatermarks(),
                                            "encrypted csv")
                                    .executeAndCollect("decrypt " + in.getName());
                    OutputStream os =
                            new BufferedOutputStream(
                                    fs.create(inProgress, FileSystem.WriteMode.NO_OVERWRITE),
                                    1 << 16)) {
                PlainRecordWriter writer = new PlainRecordWriter(os);
                boolean headerWritten = false;
                while (records.hasNext()) {
                    Tuple2<Boolean, byte[]> record = records.next();
                    Progress.addBytes(record.f1.length);
                    if (header && record.f0) {
                        if (headerWritten) {
                            continue;
                        }
                        headerWritten = true;
                    } else if (!PlainRecordWriter.isBlank(record.f1)) {
                        rows++;
                    }
                    writer.write(record.f1);
                }
            }
            if (!fs.rename(inProgress, out)) {
                throw new IOException(
                        String.format(
                                "could not rename the decrypted %s to %s; the output is unchanged",
                                inProgress, out));
            }
            renamed = true;
        } finally {
            if (!renamed) {
                deleteQuietly(fs, inProgress);
            }
        }
        return rows;
    }

    private static void deleteQuietly(FileSystem fs, Path path) {
        try {
            fs.delete(path, false);
        } catch (IOException e) {
            LOG.warn("Could not delete the incomplete output {}; delete it by hand", path, e);
        }
    }

    /**
     * The CSV records of each file, each with its terminator, the first one tagged {@code true}.
     */
    static final class FirstRecordTagged implements RecordDecoder<Tuple2<Boolean, byte[]>> {
        private static final long serialVersionUID = 1L;

        @Override
        public RecordReader<Tuple2<Boolean, byte[]>> open(InputStream plaintext, String fileName) {
            CsvRecordReader records =
                    new CsvRecordReader(plaintext, fileName, CsvRecordReader.Syntax.RFC_4180);
            return new RecordReader<>() {
                @Override
                public Tuple2<Boolean, byte[]> read() throws IOException {
                    byte[] record = records.nextWithTerminator();
                    return record == null ? null : Tuple2.of(records.recordNumber() == 1, record);
                }

                @Override
                public void close() throws IOException {
                    records.close();
                }
            };
        }

        @Override
        public TypeInformation<Tuple2<Boolean, byte[]>> getProducedType() {
            return Types.TUPLE(Types.BOOLEAN, Types.PRIMITIVE_ARRAY(Types.BYTE));
        }
    }
}
