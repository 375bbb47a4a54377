package dev.ppml.connector.format;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Turns records into the plaintext bytes of one ppml file (the "inner format"): CSV lines, JSON
 * lines, any Flink {@code SerializationSchema} or {@code Encoder}. See {@link RecordEncoders}.
 */
@PublicEvolving
public interface RecordEncoder<T> extends Serializable {

    /** Starts a file: returns a writer of records to {@code plaintext}. */
    RecordWriter<T> open(OutputStream plaintext) throws IOException;

    /** A short name recorded, for information, in each file header (e.g. {@code csv}). */
    String formatName();

    /** Writes the records of one file. */
    interface RecordWriter<T> {
        void write(T record) throws IOException;

        /** Pushes buffered plaintext to the encrypting stream (the file is not finished). */
        void flush() throws IOException;

        /** Writes what ends the file's plaintext, then flushes; nothing is written after it. */
        default void finish() throws IOException {
            flush();
        }
    }
}
