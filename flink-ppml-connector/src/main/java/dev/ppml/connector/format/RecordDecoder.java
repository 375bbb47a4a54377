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

    /** Reads the records of one file. */
    interface RecordReader<T> extends Closeable {
        /** The next record, or {@code null} at the end of the file. */
        @Nullable
        T read() throws IOException;
    }
}
