package dev.ppml.connector.format;

import com.google.crypto.tink.subtle.AesGcmHkdfStreaming;
import com.google.crypto.tink.subtle.StreamSegmentDecrypter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * The record data of a whole version-2 body read as a stream: each segment is read whole, decrypted
 * and authenticated by Tink's segment decrypter, and its data (the plaintext less its trailer)
 * handed out. No plaintext of a segment is returned before the segment authenticated. A segment is
 * the last one when the file ends right after it, as in Tink's own stream, so truncation at a
 * segment boundary and appended bytes both fail the last segment's authentication.
 *
 * <p>Driving the segment decrypter directly, instead of Tink's stream under a layer that strips the
 * trailers, keeps the body's copies to the two any stream pays (the file's bytes into the segment
 * buffer, the plaintext out of it).
 */
final class SegmentedBodyStream extends BlockInputStream {
    private static final int TAG = 16;

    private final InputStream in;
    private final SegmentLayout layout;
    private final String fileName;
    private final StreamSegmentDecrypter decrypter;

    /** One ciphertext segment and one byte more: the byte that tells it is not the last. */
    private final byte[] ciphertext;

    /** The data of the segment being read, between position and limit. */
    private final ByteBuffer plaintext;

    /** The caller's bytes where a segment decrypted into its buffer puts its trailer. */
    private final byte[] saved = new byte[SegmentLayout.TRAILER];

    /** Bytes of the next segment's ciphertext already read (the look-ahead byte). */
    private int carried;

    private int segment;
    private boolean last;
    private long delivered;

    SegmentedBodyStream(
            InputStream in,
            AesGcmHkdfStreaming aead,
            byte[] associatedData,
            SegmentLayout layout,
            String fileName)
            throws IOException {
        this.in = in;
        this.layout = layout;
        this.fileName = fileName;
        this.ciphertext = new byte[layout.ciphertextSegmentSize() + 1];
        this.plaintext = ByteBuffer.allocate(layout.plaintextSegmentSize());
        plaintext.limit(0);
        byte[] header = new byte[layout.headerLength()];
        if (fill(header, 0, header.length) < header.length) {
            throw new PpmlFormatException(
                    String.format(
                            "file %s ends inside the header of its encrypted body: it was"
                                    + " truncated or written incompletely",
                            fileName));
        }
        try {
            decrypter = aead.newStreamSegmentDecrypter();
            decrypter.init(ByteBuffer.wrap(header), associatedData);
        } catch (GeneralSecurityException e) {
            throw new PpmlFormatException(
                    String.format(
                            "cannot start decrypting file %s: its body header is invalid (%s)",
                            fileName, e.getMessage()));
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (!plaintext.hasRemaining()) {
            if (last) {
                return -1;
            }
            if (len >= layout.rawSize(segment)) {
                int n = readSegmentInto(b, off);
                if (n > 0) {
                    return n;
                }
                continue; // a trailer-only last segment
            }
            loadSegment(readCiphertext());
        }
        int n = Math.min(len, plaintext.remaining());
        plaintext.get(b, off, n);
        delivered += n;
        return n;
    }

    @Override
    public int available() {
        return plaintext.remaining();
    }

    /**
     * Reads the next segment's ciphertext, and one byte more if there is one: the segment is the
     * last if there is not. Returns the segment's ciphertext length.
     */
    private int readCiphertext() throws IOException {
        int size = layout.rawSize(segment) + TAG;
        int length = carried + fill(ciphertext, carried, size + 1 - carried);
        last = length <= size;
        return Math.min(length, size);
    }

    /** Decrypts the segment read into the segment buffer. */
    private void loadSegment(int segmentLength) throws IOException {
        plaintext.clear();
        try {
            decrypter.decryptSegment(
                    ByteBuffer.wrap(ciphertext, 0, segmentLength), segment, last, plaintext);
        } catch (GeneralSecurityException e) {
            throw authenticationFailed();
        }
        plaintext.flip();
        if (plaintext.remaining() < SegmentLayout.TRAILER) {
            throw incomplete();
        }
        plaintext.limit(plaintext.remaining() - SegmentLayout.TRAILER);
        nextSegment(segmentLength);
    }

    /**
     * Decrypts the next segment straight into the caller's buffer, which has room for all of its
     * plaintext: the one copy saved matters at AES-GCM's speed. The trailer lands past the data
     * returned; the caller's bytes there are put back, as a stream must leave them. A segment that
     * fails authentication leaves zeros in the caller's buffer, not unauthenticated plaintext.
     * Returns the data bytes read.
     */
    private int readSegmentInto(byte[] b, int off) throws IOException {
        int segmentLength = readCiphertext();
        int raw = segmentLength - TAG;
        if (raw < SegmentLayout.TRAILER) {
            loadSegment(segmentLength); // fails: authentication or a missing trailer
            throw incomplete();
        }
        int data = raw - SegmentLayout.TRAILER;
        System.arraycopy(b, off + data, saved, 0, SegmentLayout.TRAILER);
        try {
            decrypter.decryptSegment(
                    ByteBuffer.wrap(ciphertext, 0, segmentLength),
                    segment,
                    last,
                    ByteBuffer.wrap(b, off, raw));
        } catch (GeneralSecurityException e) {
            Arrays.fill(b, off, off + data, (byte) 0);
            throw authenticationFailed();
        } finally {
            System.arraycopy(saved, 0, b, off + data, SegmentLayout.TRAILER);
        }
        nextSegment(segmentLength);
        delivered += data;
        return data;
    }

    private void nextSegment(int segmentLength) {
        if (!last) {
            ciphertext[0] = ciphertext[segmentLength];
            carried = 1;
        }
        segment++;
    }

    private PpmlFormatException authenticationFailed() {
        return new PpmlFormatException(
                String.format(
                        "authentication of file %s failed after %d plaintext bytes (segment %d):"
                                + " the file was modified, truncated, extended or written"
                                + " incompletely",
                        fileName, delivered, segment));
    }

    private PpmlFormatException incomplete() {
        return new PpmlFormatException(
                String.format(
                        "file %s is not a valid ppml version 2 body: its last segment ends"
                                + " without a complete trailer",
                        fileName));
    }

    /** Reads up to {@code len} bytes, fewer only at the end of the file. */
    private int fill(byte[] b, int off, int len) throws IOException {
        int total = 0;
        while (total < len) {
            int n;
            try {
                n = in.read(b, off + total, len - total);
            } catch (IOException e) {
                throw new IOException(
                        String.format(
                                "reading file %s failed after %d plaintext bytes: %s",
                                fileName, delivered, e.getMessage()),
                        e);
            }
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
