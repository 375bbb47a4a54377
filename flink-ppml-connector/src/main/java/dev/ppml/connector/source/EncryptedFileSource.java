package dev.ppml.connector.source;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;
import static org.apache.flink.util.Preconditions.checkState;

import dev.ppml.connector.format.RecordDecoder;
import dev.ppml.connector.format.RecordDecoders;
import dev.ppml.connector.keys.MasterKey;
import dev.ppml.keys.KeyServiceOptions;
import java.time.Duration;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.Path;

/**
 * A FLIP-27 source of encrypted files: Flink's {@link FileSource} reading ppml files, a split per
 * file or, for files larger than {@link Builder#splitSize}, per range of whole segments. Listing
 * and split assignment run on the JobManager and never touch keys; the master key is unlocked on
 * the TaskManager that reads a file.
 *
 * <pre>{@code
 * FileSource<Person> source =
 *     EncryptedFileSource.forRecordFormat(
 *             CsvLines.forPojo(Person.class, "name", "age", "job").withHeader(),
 *             new Path("oss://bucket/people-enc"))
 *         .withKeyUri("local:/secrets/dev.keyset.json")
 *         .build();
 * env.fromSource(source, WatermarkStrategy.noWatermarks(), "people");
 * }</pre>
 *
 * <p>Any failed authentication fails the read with an error naming the file; by default a file is
 * authenticated completely before its first record is emitted (see {@link
 * Builder#verifyBeforeRead(boolean)}). Before any split is assigned, the JobManager reads each
 * file's header (no key involved) and fails the read if two files share a file id (one is a copy)
 * or, with {@link Builder#withTableId}, a file belongs to another table.
 */
@PublicEvolving
public final class EncryptedFileSource {
    /** Files larger than this are read in splits, unless configured otherwise. */
    public static final MemorySize DEFAULT_SPLIT_SIZE = MemorySize.ofMebiBytes(128);

    private EncryptedFileSource() {}

    /** A source whose inner format is a {@link RecordDecoder} (e.g. {@code CsvLines}). */
    public static <T> Builder<T> forRecordFormat(RecordDecoder<T> decoder, Path... paths) {
        return new Builder<>(decoder, paths);
    }

    /** A source of lines, each parsed by {@code schema}. */
    public static <T> Builder<T> forRowFormat(DeserializationSchema<T> schema, Path... paths) {
        return new Builder<>(RecordDecoders.lines(schema), paths);
    }

    /** A source whose plaintext is read by a Flink {@link StreamFormat}. */
    public static <T> Builder<T> forStreamFormat(StreamFormat<T> format, Path... paths) {
        return new Builder<>(RecordDecoders.fromStreamFormat(format), paths);
    }

    /** Configures and builds an encrypted {@link FileSource}. */
    @PublicEvolving
    public static final class Builder<T> {
        private final RecordDecoder<T> decoder;
        private final Path[] paths;
        private String keyUri;
        private KeyServiceOptions keyServiceOptions = KeyServiceOptions.empty();
        private boolean verifyBeforeRead = true;
        @Nullable private Duration monitorInterval;
        @Nullable private String tableId;
        private boolean rejectCopies = true;
        private long splitSize = DEFAULT_SPLIT_SIZE.getBytes();

        private Builder(RecordDecoder<T> decoder, Path[] paths) {
            this.decoder = checkNotNull(decoder, "record decoder must be set");
            checkArgument(paths.length > 0, "at least one input path is required");
            this.paths = paths.clone();
        }

        /** The master key the files' data keys are wrapped with (required). */
        public Builder<T> withKeyUri(String keyUri) {
            this.keyUri = checkNotNull(keyUri, "key URI must not be null");
            return this;
        }

        public Builder<T> withKeyServiceOptions(KeyServiceOptions options) {
            this.keyServiceOptions = checkNotNull(options);
            return this;
        }

        /**
         * Whether to authenticate a whole file before emitting its first record (default true).
         * Turning it off halves the reading work but lets records of the intact leading segments of
         * a damaged file through before the read fails.
         */
        public Builder<T> verifyBeforeRead(boolean verify) {
            this.verifyBeforeRead = verify;
            return this;
        }

        /**
         * Reads only files bound to the table {@code tableId} (see {@code
         * EncryptedFileSink.Builder#withTableId}): a file whose authenticated header names another
         * table, or none, fails the read naming the file and both ids. Default: files of any table
         * are read.
         */
        public Builder<T> withTableId(String tableId) {
            checkArgument(tableId != null && !tableId.isBlank(), "the table id must not be blank");
            this.tableId = tableId;
            return this;
        }

        /**
         * Whether the JobManager reads every file's header before assigning splits, to fail the
         * read if two files share a file id (a copy) or, with a table id, a file belongs to another
         * table (default true). It costs one small read per file at the start ({@value
         * PpmlFileEnumerator#CONCURRENT_READS} at a time). Turned off, each reader still refuses
         * files of another table and a file id it has read before under another path.
         */
        public Builder<T> rejectCopies(boolean reject) {
            this.rejectCopies = reject;
            return this;
        }

        /**
         * Files larger than this are read in splits of about this size, each by its own reader
         * (default {@code 128 mb}), when the inner format can start at a record boundary (CSV,
         * lines, JSON lines). A split reads the records that start in its segments and reads on to
         * finish its last one; with {@link #verifyBeforeRead} it authenticates everything it read
         * before emitting a record. Files written by releases before format version 2 are read
         * whole.
         */
        public Builder<T> splitSize(MemorySize size) {
            checkArgument(size.getBytes() > 0, "the split size must be positive, was %s", size);
            this.splitSize = size.getBytes();
            return this;
        }

        /** Keeps watching the paths for new files (streaming); default: read once (bounded). */
        public Builder<T> monitorContinuously(Duration interval) {
            this.monitorInterval = checkNotNull(interval);
            return this;
        }

        public FileSource<T> build() {
            checkState(
                    keyUri != null,
                    "EncryptedFileSource needs the master key of its files: call"
                            + " withKeyUri(...)");
            DecryptingBulkFormat<T> format =
                    new DecryptingBulkFormat<>(
                            MasterKey.of(keyUri, keyServiceOptions),
                            decoder,
                            verifyBeforeRead,
                            tableId);
            FileSource.FileSourceBuilder<T> builder = FileSource.forBulkFileFormat(format, paths);
            builder.setFileEnumerator(
                    PpmlFileEnumerator.provider(
                            tableId,
                            rejectCopies,
                            decoder.isSplittable() ? splitSize : Long.MAX_VALUE));
            if (monitorInterval != null) {
                builder.monitorContinuously(monitorInterval);
            }
            return builder.build();
        }
    }
}
