package dev.ppml.jobs;

import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.ppml.connector.format.RecordEncoder;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import javax.annotation.Nullable;

/**
 * Writes CSV records as {@link PlainRecordsFormat} reads them, each carrying its own terminator, so
 * that the bytes come out exactly as they came in.
 *
 * <p>The one exception: the last record of an input file may have no terminator, and when another
 * record is written after it, a {@code \n} goes between the two, or they would run together into
 * one record. Written last, it stays without terminator: a single input file encrypted by one
 * writer and decrypted again is byte-identical. Records from several files or parallel writers get
 * the {@code \n} where such a record ends up in the middle.
 */
public final class PlainRecordWriter {
    private final OutputStream out;
    private boolean unterminated;

    public PlainRecordWriter(OutputStream out) {
        this.out = checkNotNull(out, "output stream");
    }

    /** Writes {@code record}'s bytes, after a {@code \n} if the previous one had no terminator. */
    public void write(byte[] record) throws IOException {
        if (record.length == 0) {
            return;
        }
        if (unterminated) {
            out.write('\n');
        }
        out.write(record);
        unterminated = !hasTerminator(record);
    }

    /**
     * Whether {@code record} ends with its terminator ({@code \n}, {@code \r\n} or {@code \r}). For
     * RFC 4180 records as {@link PlainRecordsFormat} reads them, the last byte tells: without an
     * escape character, a record's content never ends with a line break outside quotes, and a
     * quoted one ends with the quote.
     */
    public static boolean hasTerminator(byte[] record) {
        int n = record.length;
        return n > 0 && (record[n - 1] == '\n' || record[n - 1] == '\r');
    }

    /** Whether {@code record} is an empty line: only its terminator, not a row. */
    public static boolean isBlank(byte[] record) {
        int n = record.length;
        return n == 0
                || (n == 1 && hasTerminator(record))
                || (n == 2 && record[0] == '\r' && record[1] == '\n');
    }

    /** An encoder of ppml file plaintext: {@code header} (if any), then the records as written. */
    public static RecordEncoder<byte[]> encoder(@Nullable byte[] header) {
        return new Encoder(header);
    }

    private static final class Encoder implements RecordEncoder<byte[]> {
        private static final long serialVersionUID = 1L;
        @Nullable private final byte[] header;

        Encoder(@Nullable byte[] header) {
            this.header = header == null ? null : header.clone();
        }

        @Override
        public RecordWriter<byte[]> open(OutputStream plaintext) throws IOException {
            OutputStream buffered = new BufferedOutputStream(plaintext, 64 * 1024);
            PlainRecordWriter records = new PlainRecordWriter(buffered);
            if (header != null) {
                records.write(header);
            }
            return new RecordWriter<>() {
                @Override
                public void write(byte[] record) throws IOException {
                    records.write(record);
                }

                @Override
                public void flush() throws IOException {
                    buffered.flush();
                }
            };
        }

        @Override
        public String formatName() {
            return "csv";
        }
    }
}
