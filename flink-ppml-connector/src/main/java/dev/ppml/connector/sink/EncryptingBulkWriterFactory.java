package dev.ppml.connector.sink;

import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.ppml.connector.format.PlaintextOutput;
import dev.ppml.connector.format.PpmlFiles;
import dev.ppml.connector.format.RecordEncoder;
import dev.ppml.connector.format.StreamingParameters;
import dev.ppml.connector.keys.MasterKey;
import java.io.IOException;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.core.fs.FSDataOutputStream;

/**
 * Writes each part file of a {@code FileSink} as one ppml file: a fresh data key per file, records
 * encoded by the inner {@link RecordEncoder}, then encrypted. The master key is unlocked lazily in
 * {@link #create}, which runs on the TaskManager. Each segment records where the first record after
 * its start begins, so readers can split the file; the encoder's {@link
 * RecordEncoder.RecordWriter#flush()} must push every byte of the records written so far.
 */
@Internal
public final class EncryptingBulkWriterFactory<T> implements BulkWriter.Factory<T> {
    private static final long serialVersionUID = 1L;

    private final MasterKey masterKey;
    private final StreamingParameters streaming;
    private final RecordEncoder<T> encoder;
    @Nullable private final String tableId;

    public EncryptingBulkWriterFactory(
            MasterKey masterKey, StreamingParameters streaming, RecordEncoder<T> encoder) {
        this(masterKey, streaming, encoder, null);
    }

    /**
     * @param tableId written into every file's authenticated header; null for none
     */
    public EncryptingBulkWriterFactory(
            MasterKey masterKey,
            StreamingParameters streaming,
            RecordEncoder<T> encoder,
            @Nullable String tableId) {
        this.masterKey = checkNotNull(masterKey);
        this.streaming = checkNotNull(streaming);
        this.encoder = checkNotNull(encoder);
        this.tableId = tableId;
    }

    @Override
    public BulkWriter<T> create(FSDataOutputStream out) throws IOException {
        PlaintextOutput plaintext =
                PpmlFiles.encrypt(out, masterKey, streaming, encoder.formatName(), tableId);
        RecordEncoder.RecordWriter<T> records = encoder.open(plaintext);
        return new BulkWriter<>() {
            @Override
            public void addElement(T element) throws IOException {
                records.write(element);
                if (plaintext.wantsRecordMark()) {
                    // About once per segment: push the encoder's buffer so that the position is
                    // exactly the end of this record, and mark it as a record start for splits.
                    records.flush();
                    plaintext.markRecordStart();
                }
            }

            @Override
            public void flush() throws IOException {
                // Plaintext goes to the encrypting stream; a segment is sealed only when full or
                // at finish(), so no partial segment ever reaches the file.
                records.flush();
            }

            @Override
            public void finish() throws IOException {
                records.finish();
                plaintext.close(); // writes the last segment; leaves `out` open as required
                out.flush();
            }
        };
    }
}
