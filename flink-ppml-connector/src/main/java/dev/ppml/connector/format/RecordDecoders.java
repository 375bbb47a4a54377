package dev.ppml.connector.format;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MappingIterator;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.util.Collector;

/** Adapters from Flink's deserializers to {@link RecordDecoder}. */
@PublicEvolving
public final class RecordDecoders {
    private RecordDecoders() {}

    /**
     * One record per line ({@code \n} or {@code \r\n}), parsed by {@code schema}: for formats whose
     * records never span lines, such as JSON lines. CSV records may; see {@link
     * #csvRecords(DeserializationSchema, int)}.
     */
    public static <T> RecordDecoder<T> lines(DeserializationSchema<T> schema) {
        return new LineDecoder<>(schema, 0);
    }

    /** Like {@link #lines(DeserializationSchema)}, skipping the first lines of every file. */
    public static <T> RecordDecoder<T> lines(DeserializationSchema<T> schema, int skipLines) {
        return new LineDecoder<>(schema, skipLines);
    }

    /**
     * One CSV record ({@link CsvRecordReader}: RFC 4180, so a quoted field may hold line breaks) at
     * a time, without its terminator, parsed by {@code schema}; the first {@code skipHeaderRecords}
     * records of every file are skipped, and so are empty records.
     */
    public static <T> RecordDecoder<T> csvRecords(
            DeserializationSchema<T> schema, int skipHeaderRecords) {
        return csvRecords(schema, skipHeaderRecords, CsvRecordReader.Syntax.RFC_4180);
    }

    /**
     * Like {@link #csvRecords(DeserializationSchema, int)}, for records written in {@code syntax}
     * (the quote, escape and comment settings the schema parses with).
     */
    public static <T> RecordDecoder<T> csvRecords(
            DeserializationSchema<T> schema, int skipHeaderRecords, CsvRecordReader.Syntax syntax) {
        return new CsvRecordDecoder<>(schema, skipHeaderRecords, syntax);
    }

    /** Any Flink {@link StreamFormat}, reading the plaintext as if it were the file. */
    public static <T> RecordDecoder<T> fromStreamFormat(StreamFormat<T> format) {
        return new StreamFormatDecoder<>(format);
    }

    /**
     * Parse failures name the file and line but never the record's content: the content is
     * plaintext that must not reach logs. The parser's exception is not chained for the same
     * reason.
     */
    static IOException parseFailure(String fileName, long line, Exception e) {
        return parseFailure(fileName, "line", line, e);
    }

    /**
     * Like {@link #parseFailure(String, long, Exception)}, for a line or a record ({@code unit}):
     * for the decoders of the ppml table format too.
     */
    @Internal
    public static IOException parseFailure(String fileName, String unit, long n, Exception e) {
        return new IOException(
                String.format(
                        "file %s, %s %d: the inner format could not parse the record (%s); the"
                                + " record's content is not shown to keep plaintext out of logs",
                        fileName, unit, n, e.getClass().getName()));
    }

    /** Records of a Jackson {@link MappingIterator}; parse failures name file and line only. */
    static <T> RecordDecoder.RecordReader<T> fromMappingIterator(
            MappingIterator<T> it, String fileName) {
        return new RecordDecoder.RecordReader<>() {
            @Override
            public T read() throws IOException {
                try {
                    return it.hasNextValue() ? it.nextValue() : null;
                } catch (JsonProcessingException | RuntimeException e) {
                    throw parseFailure(fileName, it.getCurrentLocation().getLineNr(), e);
                }
            }

            @Override
            public void close() throws IOException {
                it.close();
            }
        };
    }

    /**
     * Reads {@code \n}-terminated lines of bytes, dropping a trailing {@code \r}. Scans its own
     * buffer for line ends instead of reading byte by byte: this is the per-record path.
     */
    static final class LineReader implements Splitter {
        private final InputStream in;
        private final byte[] buffer = new byte[64 * 1024];
        private int pos;
        private int limit;
        private byte[] line = new byte[256];

        LineReader(InputStream in) {
            this.in = in;
        }

        /** The next line without its terminator, or null at the end of the stream. */
        @Nullable
        @Override
        public byte[] next() throws IOException {
            int len = 0;
            while (true) {
                if (pos == limit) {
                    limit = in.read(buffer, 0, buffer.length);
                    pos = 0;
                    if (limit <= 0) {
                        limit = 0;
                        return len == 0 ? null : finish(len);
                    }
                }
                int start = pos;
                while (pos < limit && buffer[pos] != '\n') {
                    pos++;
                }
                int n = pos - start;
                if (len + n > line.length) {
                    line = Arrays.copyOf(line, Math.max(line.length * 2, len + n));
                }
                System.arraycopy(buffer, start, line, len, n);
                len += n;
                if (pos < limit) {
                    pos++; // the '\n'
                    return finish(len);
                }
            }
        }

        private byte[] finish(int len) {
            if (len > 0 && line[len - 1] == '\r') {
                len--;
            }
            return Arrays.copyOf(line, len);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** Where a {@link SplittingDecoder} takes the bytes of one record after another. */
    private interface Splitter extends Closeable {
        /** The next record without its terminator, or null at the end. */
        @Nullable
        byte[] next() throws IOException;
    }

    /** Records split from the plaintext, each parsed by a {@link DeserializationSchema}. */
    private abstract static class SplittingDecoder<T> implements RecordDecoder<T> {
        private static final long serialVersionUID = 1L;
        private final DeserializationSchema<T> schema;
        private final int skip;
        private final String unit;

        SplittingDecoder(DeserializationSchema<T> schema, int skip, String unit) {
            this.schema = checkNotNull(schema, "deserialization schema");
            checkArgument(skip >= 0, "the number of %ss to skip must be >= 0, was %s", unit, skip);
            this.skip = skip;
            this.unit = unit;
        }

        abstract Splitter split(InputStream plaintext, String fileName);

        @Override
        public RecordReader<T> open(InputStream plaintext, String fileName) throws IOException {
            return open(plaintext, fileName, skip);
        }

        @Override
        public boolean isSplittable() {
            return true;
        }

        @Override
        public RecordReader<T> openWithin(InputStream plaintext, String fileName)
                throws IOException {
            return open(plaintext, fileName, 0);
        }

        private RecordReader<T> open(InputStream plaintext, String fileName, int skip)
                throws IOException {
            try {
                schema.open(SchemaContexts.deserialization());
            } catch (Exception e) {
                throw new IOException("cannot open the inner deserialization schema", e);
            }
            Splitter records = split(plaintext, fileName);
            ArrayDeque<T> pending = new ArrayDeque<>();
            Collector<T> collector =
                    new Collector<>() {
                        @Override
                        public void collect(T record) {
                            pending.add(record);
                        }

                        @Override
                        public void close() {}
                    };
            return new RecordReader<>() {
                private long number;

                @Override
                public T read() throws IOException {
                    while (pending.isEmpty()) {
                        byte[] record = records.next();
                        if (record == null) {
                            return null;
                        }
                        number++;
                        if (number <= skip || record.length == 0) {
                            continue;
                        }
                        try {
                            schema.deserialize(record, collector);
                        } catch (Exception e) {
                            throw parseFailure(fileName, unit, number, e);
                        }
                    }
                    return pending.poll();
                }

                @Override
                public void close() throws IOException {
                    records.close();
                }
            };
        }

        @Override
        public TypeInformation<T> getProducedType() {
            return schema.getProducedType();
        }
    }

    private static final class LineDecoder<T> extends SplittingDecoder<T> {
        private static final long serialVersionUID = 1L;

        LineDecoder(DeserializationSchema<T> schema, int skipLines) {
            super(schema, skipLines, "line");
        }

        @Override
        Splitter split(InputStream plaintext, String fileName) {
            return new LineReader(plaintext);
        }
    }

    private static final class CsvRecordDecoder<T> extends SplittingDecoder<T> {
        private static final long serialVersionUID = 1L;
        private final CsvRecordReader.Syntax syntax;

        CsvRecordDecoder(DeserializationSchema<T> schema, int skip, CsvRecordReader.Syntax syntax) {
            super(schema, skip, "record");
            this.syntax = checkNotNull(syntax, "syntax");
        }

        @Override
        Splitter split(InputStream plaintext, String fileName) {
            CsvRecordReader records = new CsvRecordReader(plaintext, fileName, syntax);
            return new Splitter() {
                @Override
                public byte[] next() throws IOException {
                    return records.next();
                }

                @Override
                public void close() throws IOException {
                    records.close();
                }
            };
        }
    }

    private static final class StreamFormatDecoder<T> implements RecordDecoder<T> {
        private static final long serialVersionUID = 1L;
        private final StreamFormat<T> format;

        StreamFormatDecoder(StreamFormat<T> format) {
            this.format = checkNotNull(format, "stream format");
        }

        @Override
        public RecordReader<T> open(InputStream plaintext, String fileName) throws IOException {
            StreamFormat.Reader<T> reader =
                    format.createReader(
                            new Configuration(),
                            new SequentialInputStream(plaintext),
                            Long.MAX_VALUE,
                            Long.MAX_VALUE);
            return new RecordReader<>() {
                @Override
                public T read() throws IOException {
                    return reader.read();
                }

                @Override
                public void close() throws IOException {
                    reader.close();
                }
            };
        }

        @Override
        public TypeInformation<T> getProducedType() {
            return format.getProducedType();
        }
    }

    /** Presents decrypted plaintext as a forward-only {@link FSDataInputStream}. */
    private static final class SequentialInputStream extends FSDataInputStream {
        private final InputStream in;
        private long pos;

        SequentialInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void seek(long desired) throws IOException {
            if (desired < pos) {
                throw new IOException(
                        "encrypted files are read sequentially; cannot seek back to " + desired);
            }
            while (pos < desired) {
                long skipped = in.skip(desired - pos);
                if (skipped <= 0) {
                    if (in.read() < 0) {
                        throw new IOException("seek past the end of the plaintext");
                    }
                    skipped = 1;
                }
                pos += skipped;
            }
        }

        @Override
        public long getPos() {
            return pos;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                pos++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                pos += n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
