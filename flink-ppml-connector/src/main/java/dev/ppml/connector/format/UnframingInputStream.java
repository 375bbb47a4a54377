package dev.ppml.connector.format;

import java.io.IOException;
import java.io.InputStream;

/**
 * The record data of a whole version-2 body read as a stream: the decrypted plaintext with every
 * segment's trailer removed. A segment that is not the last is full, so its trailer is at a known
 * place; the last segment's trailer is its last {@value SegmentLayout#TRAILER} bytes, recognised at
 * the end of the stream. Bytes are read straight into the caller's buffer; the last {@value
 * SegmentLayout#TRAILER} bytes read are held back (they may be that trailer) until more follow.
 */
final class UnframingInputStream extends BlockInputStream {
    private static final int T = SegmentLayout.TRAILER;

    private final InputStream raw;
    private final SegmentLayout layout;
    private final String fileName;

    /** Raw bytes read but not delivered, at raw positions [pos, pos + held). */
    private final byte[] carry = new byte[T];

    private int held;

    /** Scratch for reads of at most four bytes: the carry and up to four more. */
    private final byte[] small = new byte[2 * T];

    /** Raw position of the next byte to deliver. */
    private long pos;

    private long segment;
    private long segmentEnd;
    private boolean done;

    UnframingInputStream(InputStream raw, SegmentLayout layout, String fileName) {
        this.raw = raw;
        this.layout = layout;
        this.fileName = fileName;
        this.segmentEnd = layout.rawSize(0);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (!done) {
            long dataEnd = segmentEnd - T;
            if (pos == dataEnd) {
                // the next four bytes are this segment's trailer, or the stream ends here
                if (!topUpCarry()) {
                    finish();
                    continue;
                }
                held = 0;
                pos += T;
                segment++;
                segmentEnd = layout.rawStart(segment + 1);
                continue;
            }
            if (len <= T) {
                int n = readSmall(b, off, len, dataEnd);
                if (n != 0) {
                    return n;
                }
                continue;
            }
            // carry first, then raw bytes up to four past what may be delivered
            System.arraycopy(carry, 0, b, off, held);
            int room = (int) Math.min(len, dataEnd - pos + T);
            int n = raw.read(b, off + held, room - held);
            if (n < 0) {
                int total = held;
                held = 0;
                return deliverAtEnd(b, off, total);
            }
            int total = held + n;
            if (total <= T) {
                System.arraycopy(b, off, carry, 0, total);
                held = total;
                continue;
            }
            int deliver = total - T;
            System.arraycopy(b, off + deliver, carry, 0, T);
            held = T;
            pos += deliver;
            return deliver;
        }
        return -1;
    }

    /** A read of at most four bytes, through the carry; 0 if nothing could be delivered yet. */
    private int readSmall(byte[] b, int off, int len, long dataEnd) throws IOException {
        byte[] tmp = small;
        System.arraycopy(carry, 0, tmp, 0, held);
        int room = (int) Math.min(T + len, dataEnd - pos + T);
        int n = raw.read(tmp, held, room - held);
        if (n < 0) {
            // what is held is the final trailer, or the body ended with a full segment
            finish();
            return 0;
        }
        int total = held + n;
        int deliver = Math.max(0, total - T);
        System.arraycopy(tmp, 0, b, off, deliver);
        System.arraycopy(tmp, deliver, carry, 0, total - deliver);
        held = total - deliver;
        pos += deliver;
        return deliver;
    }

    /**
     * The stream ended with {@code total} undelivered bytes (in {@code b} from {@code off}): all
     * but the last four are data, the last four the final trailer.
     */
    private int deliverAtEnd(byte[] b, int off, int total) throws IOException {
        if (total < T) {
            if (total == 0 && segment > 0 && pos == layout.rawStart(segment)) {
                done = true; // the body ended with a full segment, trailer and all
                return -1;
            }
            throw incomplete();
        }
        int deliver = total - T;
        done = true;
        pos += deliver;
        return deliver == 0 ? -1 : deliver;
    }

    /** Fills the carry to four bytes; false if the stream ended first. */
    private boolean topUpCarry() throws IOException {
        while (held < T) {
            int n = raw.read(carry, held, T - held);
            if (n < 0) {
                return false;
            }
            held += n;
        }
        return true;
    }

    /** The stream ended while the carry was being topped up at a trailer position. */
    private void finish() throws IOException {
        if (held == 0 && segment > 0 && pos == layout.rawStart(segment)) {
            done = true;
            return;
        }
        if (held == T) {
            done = true;
            return;
        }
        throw incomplete();
    }

    private PpmlFormatException incomplete() {
        return new PpmlFormatException(
                String.format(
                        "file %s is not a valid ppml version 2 body: its last segment ends"
                                + " without a complete trailer",
                        fileName));
    }

    @Override
    public void close() throws IOException {
        raw.close();
    }
}
