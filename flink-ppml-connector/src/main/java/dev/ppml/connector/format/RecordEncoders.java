package dev.ppml.connector.format;

import static org.apache.flink.util.Preconditions.checkNotNull;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.api.common.serialization.Encoder;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.core.fs.FSDataOutputStream;

/** Adapters from Flink's serializers to {@link RecordEncoder}. */
@PublicEvolving
public final class RecordEncoders {
    private RecordEncoders() {}

    /**
     * One record per line: the schema's bytes followed by {@code \n} (a trailing line break the
     * schema already wrote is not doubled).
     */
    public static <T> RecordEncoder<T> lines(SerializationSchema<T> schema) {
        return new LineEncoder<>(schema, null, "lines");
    }

    /** Like {@link #lines(SerializationSchema)}, starting every file with {@code headerLine}. */
    public static <T> RecordEncoder<T> lines(
            SerializationSchema<T> schema, @Nullable String headerLine, String formatName) {
        return new LineEncoder<>(schema, headerLine, formatName);
    }

    /** Any Flink row {@link Encoder}, which writes each record to the file stream itself. */
    public static <T> RecordEncoder<T> fromEncoder(Encoder<T> encoder) {
        return new EncoderAdapter<>(encoder);
    }

    /**
     * A Flink {@link BulkWriter} whose output is a line format (e.g. Flink's csv file writer),
     * writing into the plaintext stream; {@code headerLine}, if set, comes first in every file.
     */
    public static <T> RecordEncoder<T> fromBulkWriter(
            BulkWriter.Factory<T> factory, @Nullable String headerLine, String formatName) {
        return new BulkWriterEncoder<>(factory, headerLine, formatName);
    }

    private static final class BulkWriterEncoder<T> implements RecordEncoder<T> {
        private static final long serialVersionUID = 1L;
        private final BulkWriter.Factory<T> factory;
        @Nullable private final String headerLine;
        private final String formatName;

        BulkWriterEncoder(
                BulkWriter.Factory<T> factory, @Nullable String headerLine, String formatName) {
            this.factory = checkNotNull(factory, "bulk writer factory");
            this.headerLine = headerLine;
            this.formatName = checkNotNull(formatName);
        }

        @Override
        public RecordWriter<T> open(OutputStream plaintext) throws IOException {
            PlaintextStream stream = new PlaintextStream(plaintext);
            if (headerLine != null) {
                stream.write((headerLine + "\n").getBytes(StandardCharsets.UTF_8));
            }
            BulkWriter<T> writer = factory.create(stream);
            return new RecordWriter<>() {
                private boolean finished;

                @Override
                public void write(T record) throws IOException {
                    writer.addElement(record);
                }

                @Override
                public void flush() throws IOException {
                    writer.flush();
                }

                @Override
                public void finish() throws IOException {
                    if (!finished) {
                        finished = true;
                        writer.finish();
                    }
                }
            };
        }

        @Override
        public String formatName() {
            return formatName;
        }
    }

    /**
     * The plaintext stream as the {@link FSDataOutputStream} a {@link BulkWriter} writes to: bytes
     * go to the encrypting stream, which alone decides when a segment is sealed; {@code sync} and
     * {@code close} do nothing (the ppml writer ends the file).
     */
    private static final class PlaintextStream extends FSDataOutputStream {
        private final OutputStream out;
        private long pos;

        PlaintextStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            pos++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            pos += len;
        }

        @Override
        public long getPos() {
            return pos;
        }

        @Override
        public void flush() {
            // Segments are sealed when full or when the file ends, never on flush.
        }

        @Override
        public void sync() {}

        @Override
        public void close() {}
    }

    private static final class LineEncoder<T> implements RecordEncoder<T> {
        private static final long serialVersionUID = 1L;
        private final SerializationSchema<T> schema;
        @Nullable private final String headerLine;
        private final String formatName;

        LineEncoder(SerializationSchema<T> schema, @Nullable String headerLine, String formatName) {
            this.schema = checkNotNull(schema, "serialization schema");
            this.headerLine = headerLine;
            this.formatName = checkNotNull(formatName);
        }

        @Override
        public RecordWriter<T> open(OutputStream plaintext) throws IOException {
            try {
                schema.open(SchemaContexts.serialization());
            } catch (Exception e) {
                throw new IOException("cannot open the inner serialization schema", e);
            }
            OutputStream out = new BufferedOutputStream(plaintext, 64 * 1024);
            if (headerLine != null) {
                out.write(headerLine.getBytes(StandardCharsets.UTF_8));
                out.write('\n');
            }
            return new RecordWriter<>() {
                @Override
                public void write(T record) throws IOException {
                    byte[] bytes = schema.serialize(record);
                    int len = bytes.length;
                    if (len > 0 && bytes[len - 1] == '\n') {
                        len--;
                    }
                    out.write(bytes, 0, len);
                    out.write('\n');
                }

                @Override
                public void flush() throws IOException {
                    out.flush();
                }
            };
        }

        @Override
        public String formatName() {
            return formatName;
        }
    }

    private static final class EncoderAdapter<T> implements RecordEncoder<T> {
        private static final long serialVersionUID = 1L;
        private final Encoder<T> encoder;

        EncoderAdapter(Encoder<T> encoder) {
            this.encoder = checkNotNull(encoder, "encoder");
        }

        @Override
        public RecordWriter<T> open(OutputStream plaintext) {
            OutputStream out = new BufferedOutputStream(plaintext, 64 * 1024);
            return new RecordWriter<>() {
                @Override
                public void write(T record) throws IOException {
                    encoder.encode(record, out);
                }

                @Override
                public void flush() throws IOException {
                    out.flush();
                }
            };
        }

        @Override
        public String formatName() {
            return encoder.getClass().getSimpleName();
        }
    }
}
