package dev.ppml.connector.format;

import java.io.IOException;
import java.io.OutputStream;
import org.apache.flink.annotation.PublicEvolving;

/**
 * The plaintext of a ppml file being written (format version 2). Bytes written are record data; the
 * stream cuts them into the body's segments and ends every segment with its trailer. A writer that
 * knows where its records start calls {@link #markRecordStart()} at a record boundary whenever
 * {@link #wantsRecordMark()} says so (about once per segment): that lets readers split the file at
 * segment boundaries. A file without marks is valid and is read whole.
 *
 * <p>Closing writes the last segment and flushes, without closing the file stream underneath.
 */
@PublicEvolving
public final class PlaintextOutput extends OutputStream {
    private final OutputStream encrypting;
    private final SegmentLayout layout;
    private final byte[] trailer = new byte[SegmentLayout.TRAILER];
    private long segment;
    private int capacity;
    private int written;
    private int mark = SegmentLayout.NO_MARK;
    private boolean closed;

    PlaintextOutput(OutputStream encrypting, SegmentLayout layout) {
        this.encrypting = encrypting;
        this.layout = layout;
        this.capacity = layout.rawSize(0) - SegmentLayout.TRAILER;
    }

    /**
     * Whether the segment being written has no record mark yet: the next record boundary should be
     * marked.
     */
    public boolean wantsRecordMark() {
        return mark == SegmentLayout.NO_MARK;
    }

    /**
     * Records that a record starts at the current position (everything written so far ends a
     * record). Only the first mark of each segment is kept.
     */
    public void markRecordStart() {
        if (mark == SegmentLayout.NO_MARK) {
            mark = written;
        }
    }

    @Override
    public void write(int b) throws IOException {
        encrypting.write(b);
        if (++written == capacity) {
            endSegment();
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, capacity - written);
            encrypting.write(b, off, n);
            off += n;
            len -= n;
            written += n;
            if (written == capacity) {
                endSegment();
            }
        }
    }

    private void endSegment() throws IOException {
        writeTrailer();
        segment++;
        capacity = layout.rawSize(segment) - SegmentLayout.TRAILER;
        written = 0;
        mark = SegmentLayout.NO_MARK;
    }

    private void writeTrailer() throws IOException {
        trailer[0] = (byte) (mark >>> 24);
        trailer[1] = (byte) (mark >>> 16);
        trailer[2] = (byte) (mark >>> 8);
        trailer[3] = (byte) mark;
        encrypting.write(trailer, 0, trailer.length);
    }

    /**
     * Flushes the sealed segments to the file stream; data of the open segment stays in the
     * encrypting stream until the segment is full, so no partial segment is ever sealed.
     */
    @Override
    public void flush() throws IOException {
        encrypting.flush();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (written > 0 || segment == 0) {
            writeTrailer();
        }
        encrypting.close();
    }
}
