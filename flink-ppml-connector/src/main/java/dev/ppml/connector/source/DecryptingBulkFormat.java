package dev.ppml.connector.source;

import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.ppml.connector.format.PpmlFiles;
import dev.ppml.connector.format.RecordDecoder;
import dev.ppml.connector.keys.MasterKey;
import java.io.IOException;
import java.io.InputStream;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.ArrayResultIterator;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads ppml files as a {@link BulkFormat}: one split per file (encrypted files are not
 * splittable), the master key unlocked lazily on the TaskManager, records decoded by the inner
 * {@link RecordDecoder}.
 *
 * <p>With {@code verifyBeforeRead} (the default) every segment of a file is authenticated in a
 * first pass before the first record is emitted, so no record of a damaged file ever reaches
 * downstream operators; this costs a second read and decryption of the file. Without it, each
 * segment is still authenticated before its records are emitted, but records of earlier segments of
 * a later-damaged file may have been emitted when the failure is detected.
 *
 * <p>Checkpointed position: the number of records emitted from the file; on restore the file is
 * read again from its start and that many records are skipped.
 */
@Internal
public final class DecryptingBulkFormat<T> implements BulkFormat<T, FileSourceSplit> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DecryptingBulkFormat.class);

    static final int BATCH_SIZE = 512;

    private final MasterKey masterKey;
    private final RecordDecoder<T> decoder;
    private final boolean verifyBeforeRead;

    public DecryptingBulkFormat(
            MasterKey masterKey, RecordDecoder<T> decoder, boolean verifyBeforeRead) {
        this.masterKey = checkNotNull(masterKey);
        this.decoder = checkNotNull(decoder);
        this.verifyBeforeRead = verifyBeforeRead;
    }

    @Override
    public Reader<T> createReader(Configuration config, FileSourceSplit split) throws IOException {
        return open(split, 0);
    }

    @Override
    public Reader<T> restoreReader(Configuration config, FileSourceSplit split) throws IOException {
        long skip =
                split.getReaderPosition()
                        .map(CheckpointedPosition::getRecordsAfterOffset)
                        .orElse(0L);
        return open(split, skip);
    }

    private Reader<T> open(FileSourceSplit split, long skip) throws IOException {
        Path path = split.path();
        String name = path.toString();
        FileSystem fs = path.getFileSystem();
        if (verifyBeforeRead) {
            try (InputStream in = fs.open(path)) {
                long plaintextBytes = PpmlFiles.verify(in, masterKey, name);
                LOG.debug("Authenticated {} ({} plaintext bytes)", name, plaintextBytes);
            }
        }
        InputStream plaintext = PpmlFiles.decrypt(fs.open(path), masterKey, name);
        RecordDecoder.RecordReader<T> records;
        try {
            records = decoder.open(plaintext, name);
        } catch (IOException | RuntimeException e) {
            plaintext.close();
            throw e;
        }
        for (long i = 0; i < skip; i++) {
            if (records.read() == null) {
                records.close();
                throw new IOException(
                        String.format(
                                "file %s has fewer records (%d) than the checkpoint says were"
                                        + " already emitted (%d): it changed since it was read",
                                name, i, skip));
            }
        }
        return new DecryptingReader<>(records, skip);
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return decoder.getProducedType();
    }

    private static final class DecryptingReader<T> implements Reader<T> {
        private final RecordDecoder.RecordReader<T> records;
        private long emitted;

        DecryptingReader(RecordDecoder.RecordReader<T> records, long emitted) {
            this.records = records;
            this.emitted = emitted;
        }

        @Nullable
        @Override
        @SuppressWarnings("unchecked")
        public RecordIterator<T> readBatch() throws IOException {
            Object[] batch = new Object[BATCH_SIZE];
            int n = 0;
            T record;
            while (n < BATCH_SIZE && (record = records.read()) != null) {
                batch[n++] = record;
            }
            if (n == 0) {
                return null;
            }
            ArrayResultIterator<T> iterator = new ArrayResultIterator<>();
            iterator.set((T[]) batch, n, RecordAndPosition.NO_OFFSET, emitted);
            emitted += n;
            return iterator;
        }

        @Override
        public void close() throws IOException {
            records.close();
        }
    }
}
