package dev.ppml.connector.format;

import static org.apache.flink.util.Preconditions.checkNotNull;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.serialization.Encoder;
import org.apache.flink.api.common.serialization.SerializationSchema;

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
