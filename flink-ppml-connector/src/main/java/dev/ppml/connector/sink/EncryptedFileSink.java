package dev.ppml.connector.sink;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;
import static org.apache.flink.util.Preconditions.checkState;

import dev.ppml.connector.format.RecordEncoder;
import dev.ppml.connector.format.RecordEncoders;
import dev.ppml.connector.format.StreamingParameters;
import dev.ppml.connector.keys.MasterKey;
import dev.ppml.keys.KeyServiceOptions;
import java.time.Duration;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.serialization.Encoder;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.functions.sink.filesystem.BucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.DateTimeBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;

/**
 * An exactly-once sink of encrypted files: Flink's {@link FileSink} (Sink V2, two-phase commit on
 * checkpoints) writing every part file in the ppml format with a fresh data key.
 *
 * <pre>{@code
 * FileSink<Person> sink =
 *     EncryptedFileSink.forRecordFormat(
 *             new Path("oss://bucket/people-enc"),
 *             CsvLines.forPojo(Person.class, "name", "age", "job").withHeader())
 *         .withKeyUri("kbs://kbs.example:8080/default/key/people")
 *         .build();
 * stream.sinkTo(sink);
 * }</pre>
 *
 * <p>Part files roll on every checkpoint (a file's body is sealed when it is finished, so files
 * cannot be resumed) and are named {@code part-<uuid>-<subtask>-<n>.ppml}. Files become visible
 * only when the checkpoint that finished them completes; in-progress files are hidden (leading dot)
 * and never read by {@code EncryptedFileSource}.
 */
@PublicEvolving
public final class EncryptedFileSink {

    /** The suffix of finished part files. */
    public static final String DEFAULT_PART_SUFFIX = ".ppml";

    /** The part file prefix. */
    public static final String DEFAULT_PART_PREFIX = "part";

    private EncryptedFileSink() {}

    /** A sink whose inner format is a {@link RecordEncoder} (e.g. {@code CsvLines}). */
    public static <T> Builder<T> forRecordFormat(Path basePath, RecordEncoder<T> encoder) {
        return new Builder<>(basePath, encoder);
    }

    /** A sink writing one line per record serialized by {@code schema}. */
    public static <T> Builder<T> forRowFormat(Path basePath, SerializationSchema<T> schema) {
        return new Builder<>(basePath, RecordEncoders.lines(schema));
    }

    /** A sink whose records are written by a Flink row {@link Encoder}. */
    public static <T> Builder<T> forEncoder(Path basePath, Encoder<T> encoder) {
        return new Builder<>(basePath, RecordEncoders.fromEncoder(encoder));
    }

    /** Configures and builds an encrypted {@link FileSink}. */
    @PublicEvolving
    public static final class Builder<T> {
        private final Path basePath;
        private final RecordEncoder<T> encoder;
        private String keyUri;
        private KeyServiceOptions keyServiceOptions = KeyServiceOptions.empty();
        private StreamingParameters streaming = StreamingParameters.DEFAULT;
        private BucketAssigner<T, String> bucketAssigner = new DateTimeBucketAssigner<>();
        private OutputFileConfig outputFileConfig =
                OutputFileConfig.builder()
                        .withPartPrefix(DEFAULT_PART_PREFIX)
                        .withPartSuffix(DEFAULT_PART_SUFFIX)
                        .build();
        private Duration bucketCheckInterval = Duration.ofMinutes(1);
        @Nullable private String tableId;

        private Builder(Path basePath, RecordEncoder<T> encoder) {
            this.basePath = checkNotNull(basePath, "base path must be set");
            this.encoder = checkNotNull(encoder, "record encoder must be set");
        }

        /** The master key that wraps each file's data key (required). */
        public Builder<T> withKeyUri(String keyUri) {
            this.keyUri = checkNotNull(keyUri, "key URI must not be null");
            return this;
        }

        /** Options for the key service of the key URI's scheme. */
        public Builder<T> withKeyServiceOptions(KeyServiceOptions options) {
            this.keyServiceOptions = checkNotNull(options);
            return this;
        }

        /** The streaming AEAD preset; default {@link StreamingParameters#DEFAULT}. */
        public Builder<T> withStreamingParameters(StreamingParameters streaming) {
            this.streaming = checkNotNull(streaming);
            return this;
        }

        /** Which bucket (sub-directory) a record goes to; default: hourly date-time buckets. */
        public Builder<T> withBucketAssigner(BucketAssigner<T, String> assigner) {
            this.bucketAssigner = checkNotNull(assigner);
            return this;
        }

        /** Part file naming; keep a suffix so readers can tell ppml files apart. */
        public Builder<T> withOutputFileConfig(OutputFileConfig config) {
            this.outputFileConfig = checkNotNull(config);
            return this;
        }

        /**
         * Binds every file to the table {@code tableId}: the id goes into each file's authenticated
         * header, and a reader given the same id ({@code EncryptedFileSource.Builder#withTableId},
         * SQL {@code 'ppml.table-id'}) refuses files of any other table. Default: files are not
         * bound to a table.
         */
        public Builder<T> withTableId(String tableId) {
            checkArgument(tableId != null && !tableId.isBlank(), "the table id must not be blank");
            this.tableId = tableId;
            return this;
        }

        public Builder<T> withBucketCheckInterval(Duration interval) {
            this.bucketCheckInterval = checkNotNull(interval);
            return this;
        }

        public FileSink<T> build() {
            checkState(
                    keyUri != null,
                    "EncryptedFileSink needs a master key: call withKeyUri(\"local:/path\" |"
                            + " \"kbs://host:port/repo/type/tag\" | \"cdh://repo/type/tag\")");
            MasterKey masterKey = MasterKey.of(keyUri, keyServiceOptions);
            return FileSink.forBulkFormat(
                            basePath,
                            new EncryptingBulkWriterFactory<>(
                                    masterKey, streaming, encoder, tableId))
                    .withBucketAssigner(bucketAssigner)
                    .withRollingPolicy(OnCheckpointRollingPolicy.build())
                    .withOutputFileConfig(outputFileConfig)
                    .withBucketCheckInterval(bucketCheckInterval.toMillis())
                    .build();
        }
    }
}
