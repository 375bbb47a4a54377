package dev.ppml.connector.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/**
 * The record data of one split of a version-2 body, read through Tink's seekable decrypting channel
 * (each segment authenticated as it is loaded; the last segment checked as last).
 *
 * <p>A split owns the segments {@code [first, end)}. Its records are those starting at or after the
 * first marked record start in its own segments (the file's start for segment 0) and before the
 * first marked record start in a segment at or after {@code end}; it reads on past its segments to
 * finish its last record. Marks are record starts the writer recorded in segment trailers, so two
 * adjacent splits meet at the same record boundary, and every record is read by exactly one split.
 */
final class SplitPlaintextStream extends BlockInputStream {

    /** Turns a failure of the channel into one naming the file and segment. */
    interface Failures {
        IOException translate(IOException e, long segment);
    }

    private final SeekableByteChannel channel;
    private final SegmentLayout layout;
    private final Failures failures;
    private final long rawSize;
    private final long segments;
    private final long endSegment;
    private final ByteBuffer four = ByteBuffer.allocate(SegmentLayout.TRAILER);

    private long segment;
    private long pos;

    /** Raw position where this split's data ends; -1 while not known. */
    private long endPos = -1;

    private boolean finished;

    SplitPlaintextStream(
            SeekableByteChannel channel,
            SegmentLayout layout,
            long firstSegment,
            long endSegment,
            long rawSize,
            Failures failures)
            throws IOException {
        this.channel = channel;
        this.layout = layout;
        this.failures = failures;
        this.rawSize = rawSize;
        if (rawSize < SegmentLayout.TRAILER) {
            throw failures.translate(new IOException("body too short"), 0);
        }
        this.segments = layout.segments(rawSize);
        this.endSegment = endSegment;
        if (firstSegment == 0) {
            segment = 0;
            pos = 0;
        } else {
            finished = true;
            for (long k = firstSegment; k < Math.min(endSegment, segments); k++) {
                int mark = readMark(k);
                if (mark != SegmentLayout.NO_MARK) {
                    segment = k;
                    pos = layout.rawStart(k) + mark;
                    finished = false;
                    break;
                }
            }
        }
    }

    private long dataEnd(long k) {
        return Math.min(layout.rawStart(k + 1), rawSize) - SegmentLayout.TRAILER;
    }

    private int readMark(long k) throws IOException {
        long at = dataEnd(k);
        if (at < layout.rawStart(k)) {
            throw failures.translate(new IOException("segment shorter than its trailer"), k);
        }
        four.clear();
        readFully(four, at, k);
        int mark = four.getInt(0);
        if (mark != SegmentLayout.NO_MARK && (mark < 0 || layout.rawStart(k) + mark > at)) {
            throw failures.translate(
                    new IOException("record mark " + mark + " lies outside its segment"), k);
        }
        return mark;
    }

    private void readFully(ByteBuffer dst, long at, long k) throws IOException {
        try {
            channel.position(at);
            while (dst.hasRemaining()) {
                if (channel.read(dst) < 0) {
                    throw new IOException("unexpected end of the body at plaintext byte " + at);
                }
            }
        } catch (PpmlFormatException e) {
            throw e;
        } catch (IOException e) {
            throw failures.translate(e, k);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (!finished) {
            long limit = dataEnd(segment);
            if (endPos >= 0) {
                limit = Math.min(limit, endPos);
            }
            if (pos < limit) {
                int n = (int) Math.min(len, limit - pos);
                readFully(ByteBuffer.wrap(b, off, n), pos, segment);
                pos += n;
                return n;
            }
            if (endPos >= 0 && pos >= endPos) {
                finished = true;
                break;
            }
            segment++;
            if (segment >= segments) {
                finished = true;
                break;
            }
            pos = layout.rawStart(segment);
            if (segment >= endSegment) {
                int mark = readMark(segment);
                if (mark != SegmentLayout.NO_MARK) {
                    endPos = pos + mark;
                }
            }
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
