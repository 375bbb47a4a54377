package dev.ppml.connector.format;

import java.io.IOException;
import java.io.InputStream;

/**
 * The record data of a whole version-2 body read as a stream: the decrypted plaintext with every
 * segment's trailer removed. A segment that is not the last is full, so its trailer is at a known
 * place; the last segment's trailer is its last {@value SegmentLayout#TRAILER} bytes, recognised at
 * the end of the stream, so the last few bytes read are held back until then.
 */
final class UnframingInputStream extends BlockInputStream {
    private static final int BUFFER = 64 * 1024;

    private final InputStream raw;
    private final SegmentLayout layout;
    private final String fileName;
    private final byte[] buf = new byte[BUFFER];

    /** Valid bytes in buf: [start, end); buf[start] is at raw position bufPos. */
    private int start;

    private int end;
    private long bufPos;
    private long segment;
    private long segmentEnd;
    private boolean eof;
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
        while (true) {
            if (done) {
                return -1;
            }
            int available = dataAvailable();
            if (available > 0) {
                int n = Math.min(available, len);
                System.arraycopy(buf, start, b, off, n);
                start += n;
                bufPos += n;
                return n;
            }
            if (!atTrailer()) {
                fill();
            }
        }
    }

    /** Buffered bytes certain to be data, not a trailer. */
    private int dataAvailable() {
        long dataEnd = segmentEnd - SegmentLayout.TRAILER;
        // The last bytes read may be the last segment's trailer until more follow them.
        long certain = bufPos + (end - start) - SegmentLayout.TRAILER;
        return (int) Math.max(0, Math.min(dataEnd, certain) - bufPos);
    }

    /**
     * Consumes a trailer if one is at the head of the buffer: true if it did (or the stream is
     * done), false if more bytes must be read first.
     */
    private boolean atTrailer() throws IOException {
        int buffered = end - start;
        if (bufPos == segmentEnd - SegmentLayout.TRAILER && buffered >= SegmentLayout.TRAILER) {
            // A full segment's trailer.
            start += SegmentLayout.TRAILER;
            bufPos += SegmentLayout.TRAILER;
            segment++;
            segmentEnd = layout.rawStart(segment + 1);
            if (eof && start == end) {
                done = true;
            }
            return true;
        }
        if (eof) {
            if (buffered == SegmentLayout.TRAILER) {
                done = true; // the last segment's trailer
                return true;
            }
            if (buffered == 0 && segment > 0 && bufPos == layout.rawStart(segment)) {
                done = true; // the body ended with a full segment
                return true;
            }
            throw new PpmlFormatException(
                    String.format(
                            "file %s is not a valid ppml version 2 body: its last segment ends"
                                    + " without a complete trailer",
                            fileName));
        }
        return false;
    }

    private void fill() throws IOException {
        if (start > 0) {
            System.arraycopy(buf, start, buf, 0, end - start);
            end -= start;
            start = 0;
        }
        int n = raw.read(buf, end, buf.length - end);
        if (n < 0) {
            eof = true;
        } else {
            end += n;
        }
    }

    @Override
    public void close() throws IOException {
        raw.close();
    }
}
