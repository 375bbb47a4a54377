package dev.ppml.connector.format;

import com.google.crypto.tink.subtle.StreamSegmentEncrypter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
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
    private final StreamSegmentEncrypter encrypter;
    private final OutputStream out;
    private final SegmentLayout layout;

    /** Record data of the open segment, when it does not come in one piece. */
    private final ByteBuffer data;

    private final ByteBuffer trailer = ByteBuffer.allocate(SegmentLayout.TRAILER);
    private final byte[] ciphertext;
    private long segment;
    private int capacity;
    private int mark = SegmentLayout.NO_MARK;
    private boolean closed;

    /**
     * Writes the body to {@code out}: the encrypter's header, then every segment as soon as its
     * data is complete (so a segment is never held back waiting to learn whether it is the last; a
     * body whose data ends on a segment boundary ends with a segment holding only its trailer).
     */
    PlaintextOutput(StreamSegmentEncrypter encrypter, OutputStream out, SegmentLayout layout)
            throws IOException {
        this.encrypter = encrypter;
        this.out = out;
        this.layout = layout;
        ByteBuffer header = encrypter.getHeader();
        if (header.remaining() != layout.headerLength()) {
            throw new IOException(
                    "the streaming AEAD header has "
                            + header.remaining()
                            + " bytes where the segment layout expects "
                            + layout.headerLength());
        }
        byte[] headerBytes = new byte[header.remaining()];
        header.get(headerBytes);
        out.write(headerBytes);
        this.capacity = layout.rawSize(0) - SegmentLayout.TRAILER;
        this.data = ByteBuffer.allocate(layout.plaintextSegmentSize() - SegmentLayout.TRAILER);
        this.ciphertext = new byte[layout.ciphertextSegmentSize()];
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
            mark = data.position();
        }
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        data.put((byte) b);
        if (data.position() == capacity) {
            sealBuffered(false);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ensureOpen();
        while (len > 0) {
            if (data.position() == 0 && len >= capacity) {
                // a whole segment's data in the caller's array: encrypted from there, uncopied
                int whole = capacity;
                seal(ByteBuffer.wrap(b, off, whole), false);
                off += whole;
                len -= whole;
                continue;
            }
            int n = Math.min(len, capacity - data.position());
            data.put(b, off, n);
            off += n;
            len -= n;
            if (data.position() == capacity) {
                sealBuffered(false);
            }
        }
    }

    private void sealBuffered(boolean last) throws IOException {
        data.flip();
        seal(data, last);
        data.clear();
    }

    /** Encrypts one segment, its data followed by its trailer, and writes it to the file stream. */
    private void seal(ByteBuffer segmentData, boolean last) throws IOException {
        trailer.clear();
        trailer.putInt(mark).flip();
        ByteBuffer sealed = ByteBuffer.wrap(ciphertext);
        try {
            encrypter.encryptSegment(segmentData, trailer, last, sealed);
        } catch (GeneralSecurityException e) {
            closed = true;
            throw new IOException(
                    "cannot encrypt segment " + segment + ": " + e.getClass().getSimpleName(), e);
        }
        out.write(ciphertext, 0, sealed.position());
        segment++;
        capacity = layout.rawSize(segment) - SegmentLayout.TRAILER;
        mark = SegmentLayout.NO_MARK;
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("the ppml file is closed");
        }
    }

    /** Flushes the sealed segments to the file stream; the open segment's data stays buffered. */
    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        sealBuffered(true);
        closed = true;
        out.flush();
    }
}
