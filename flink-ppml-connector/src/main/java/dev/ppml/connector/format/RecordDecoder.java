package dev.ppml.connector.format;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;

/**
 * Turns the authenticated plaintext of one ppml file back into records: the read side of a {@link
 * RecordEncoder}. See {@link RecordDecoders}.
 */
@PublicEvolving
public interface RecordDecoder<T> extends Serializable, ResultTypeQueryable<T> {

    /** Starts reading a file's plaintext; {@code fileName} is for error messages. */
    RecordReader<T> open(InputStream plaintext, String fileName) throws IOException;

    /**
     * Whether reading can start at any record boundary inside a file ({@link #openWithin}), so that
     * large files are split among readers. Default: no, each file is read whole by one reader.
     */
    default boolean isSplittable() {
        return false;
    }

    /**
     * Starts reading at a record boundary inside a file rather than at its start: nothing is
     * skipped as a header. Called only when {@link #isSplittable()}.
     */
    default RecordReader<T> openWithin(InputStream plaintext, String fileName) throws IOException {
        throw new UnsupportedOperationException(
                getClass().getName()
                        + " reads a file only from its start (isSplittable() is false)");
    }

    /** Reads the records of one file. */
    interface RecordReader<T> extends Closeable {
        /** The next record, or {@code null} at the end of the file. */
        @Nullable
        T read() throws IOException;
    }
}
