package dev.ppml.connector.format;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.Serializable;
import java.util.Arrays;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * Splits CSV bytes into records as RFC 4180 defines them: a record ends at a line break outside
 * quotes, so a quoted field may hold line breaks, and {@code ""} inside quotes is a quote. Records
 * come back as bytes, either exactly as in the input including their terminator ({@link
 * #nextWithTerminator()}, for byte-exact copies) or without it ({@link #next()}, for a parser).
 *
 * <p>Record ends are those of Flink's csv format (Jackson's CSV parser): {@code \n}, {@code \r\n},
 * and a {@code \r} not followed by {@code \n}. The last record of the input may have no terminator.
 * With an escape character, the byte after it is never a quote or a record end; with comments, a
 * record starting with {@code #} is a comment that ends at the next line break whatever quotes it
 * holds, and is skipped.
 *
 * <p>The reader scans its own buffer; it never reads the stream byte by byte. It works on bytes,
 * not characters: the quote, escape and line break are ASCII, and no byte of a multi-byte UTF-8
 * character is ASCII, so any UTF-8 text splits correctly without being decoded.
 *
 * <p>A quoted field still open at the end of the input is an {@link IOException} naming the file
 * and the record in which the quote opened, never the content: the content is plaintext that must
 * not reach logs.
 */
@Internal
public final class CsvRecordReader implements Closeable {
    static final int BUFFER_SIZE = 64 * 1024;

    private final InputStream in;
    private final String fileName;
    private final int quote;
    private final int escape;
    private final boolean comments;
    private final byte[] buffer;
    private int pos;
    private int limit;
    private boolean endOfInput;

    private byte[] record = new byte[256];
    private int length;
    private int terminatorLength;
    private long recordNumber;

    /** A reader of {@code in}, whose records are in {@code syntax}; {@code fileName} for errors. */
    public CsvRecordReader(InputStream in, String fileName, Syntax syntax) {
        this(in, fileName, syntax, BUFFER_SIZE);
    }

    CsvRecordReader(InputStream in, String fileName, Syntax syntax, int bufferSize) {
        this.in = checkNotNull(in, "input stream");
        this.fileName = checkNotNull(fileName, "file name");
        checkNotNull(syntax, "syntax");
        this.quote = syntax.quote();
        this.escape = syntax.escape();
        this.comments = syntax.comments();
        this.buffer = new byte[bufferSize];
    }

    /** The next record without its terminator, or null at the end of the input. */
    @Nullable
    public byte[] next() throws IOException {
        return scan() ? Arrays.copyOf(record, length - terminatorLength) : null;
    }

    /**
     * The next record with its terminator, exactly its bytes in the input ({@code \n}, {@code
     * \r\n}, {@code \r}, or nothing for the input's last record), or null at the end of the input.
     */
    @Nullable
    public byte[] nextWithTerminator() throws IOException {
        return scan() ? Arrays.copyOf(record, length) : null;
    }

    /** The number of the record last returned, from 1; comments are not counted. */
    public long recordNumber() {
        return recordNumber;
    }

    /**
     * The input after the last record returned: the bytes this reader buffered but did not consume,
     * then the rest of the stream. For a parser that reads on from here; this reader must not be
     * used after. Closing the returned stream closes the input.
     */
    public InputStream rest() {
        return new SequenceInputStream(new ByteArrayInputStream(buffer, pos, limit - pos), in);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** Reads the next record, comments skipped, into {@code record}; false at the end. */
    private boolean scan() throws IOException {
        while (scanOne()) {
            if (!(comments && record[0] == '#')) {
                recordNumber++;
                return true;
            }
        }
        return false;
    }

    /** Reads the next record or comment into {@code record}; false at the end of the input. */
    private boolean scanOne() throws IOException {
        length = 0;
        terminatorLength = 0;
        boolean quoted = false;
        boolean escaped = false;
        boolean comment = false;
        boolean carriageReturn = false; // the record so far ends with a \r outside quotes
        while (true) {
            if (pos == limit && !fill()) {
                if (quoted) {
                    throw new IOException(
                            String.format(
                                    "file %s, record %d: a quoted field is not closed before the"
                                            + " end of the file; the record's content is not shown"
                                            + " to keep plaintext out of logs",
                                    fileName, recordNumber + 1));
                }
                terminatorLength = carriageReturn ? 1 : 0;
                return length > 0;
            }
            if (carriageReturn) {
                if (buffer[pos] == '\n') {
                    append(pos, pos + 1);
                    pos++;
                    terminatorLength = 2;
                } else {
                    terminatorLength = 1;
                }
                return true;
            }
            if (length == 0 && comments && buffer[pos] == '#') {
                comment = true;
            }
            int start = pos;
            while (pos < limit) {
                byte b = buffer[pos++];
                if (escaped) {
                    escaped = false;
                } else if (b == '\n' && !quoted) {
                    append(start, pos);
                    terminatorLength = 1;
                    return true;
                } else if (b == '\r' && !quoted) {
                    carriageReturn = true;
                    break;
                } else if (comment) {
                    continue;
                } else if (b == quote) {
                    // a doubled quote inside quotes toggles twice: still quoted
                    quoted = !quoted;
                } else if (b == escape) {
                    escaped = true;
                }
            }
            append(start, pos);
        }
    }

    private boolean fill() throws IOException {
        if (endOfInput) {
            return false;
        }
        int n;
        do {
            n = in.read(buffer, 0, buffer.length);
        } while (n == 0);
        pos = 0;
        if (n < 0) {
            limit = 0;
            endOfInput = true;
            return false;
        }
        limit = n;
        return true;
    }

    private void append(int from, int to) {
        int n = to - from;
        if (length + n > record.length) {
            record = Arrays.copyOf(record, Math.max(record.length * 2, length + n));
        }
        System.arraycopy(buffer, from, record, length, n);
        length += n;
    }

    /**
     * How records are written: the quote character, the escape character, and whether lines
     * starting with {@code #} are comments. Quote and escape are ASCII, or {@link #NONE}.
     */
    public record Syntax(int quote, int escape, boolean comments) implements Serializable {
        /** No quote or no escape character (equal to no byte). */
        public static final int NONE = 0x100;

        /** RFC 4180: {@code "} quotes, no escape character, no comments. */
        public static final Syntax RFC_4180 = new Syntax('"', NONE, false);

        public Syntax {
            checkArgument(
                    quote == NONE || (quote > 0 && quote < 0x80 && quote != '\r' && quote != '\n'),
                    "the CSV quote character must be ASCII and not a line break, was U+%s",
                    Integer.toHexString(quote));
            checkArgument(
                    escape == NONE
                            || (escape > 0 && escape < 0x80 && escape != '\r' && escape != '\n'),
                    "the CSV escape character must be ASCII and not a line break, was U+%s",
                    Integer.toHexString(escape));
        }

        /** This syntax with {@code quote} as the quote character. */
        public Syntax withQuote(char quote) {
            return new Syntax(quote, escape, comments);
        }

        /** This syntax without a quote character: every line break ends a record. */
        public Syntax withoutQuote() {
            return new Syntax(NONE, escape, comments);
        }

        /** This syntax with {@code escape} as the escape character. */
        public Syntax withEscape(char escape) {
            return new Syntax(quote, escape, comments);
        }

        /** This syntax with lines starting with {@code #} as comments. */
        public Syntax withComments() {
            return new Syntax(quote, escape, true);
        }
    }
}
