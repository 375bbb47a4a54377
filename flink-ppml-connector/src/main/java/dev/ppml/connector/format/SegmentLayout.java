package dev.ppml.connector.format;

import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingParameters;
import org.apache.flink.annotation.Internal;

/**
 * Where the segments of a ppml body lie, computed from its streaming AEAD preset alone, so that the
 * JobManager can plan splits and a reader can find a segment without any key.
 *
 * <p>Tink's AES-GCM-HKDF streaming ciphertext is a header ({@code 1 + key size + 7} bytes: length
 * byte, salt, nonce prefix) followed by segments of {@code ciphertextSegmentSize} bytes (the last
 * one shorter), each carrying a 16-byte tag; the header occupies the start of the first segment. In
 * plaintext ("raw") coordinates, segment 0 holds {@code plaintextSegmentSize - headerLength} bytes
 * and every later segment {@code plaintextSegmentSize = ciphertextSegmentSize - 16} bytes. In body
 * (ciphertext) coordinates segment {@code k >= 1} starts at {@code k * ciphertextSegmentSize}.
 *
 * <p>In format version 2 the last {@value #TRAILER} bytes of every segment's plaintext are the
 * segment's trailer: the offset, from the segment's start, of the first record that starts in it
 * and that the writer marked ({@link #NO_MARK} if none). Everything else is record data.
 */
@Internal
public final class SegmentLayout {
    /** Bytes of each segment's trailer. */
    public static final int TRAILER = 4;

    /** A trailer's value when no marked record starts in its segment. */
    public static final int NO_MARK = -1;

    private static final int TAG = 16;
    private static final int NONCE_PREFIX = 7;

    private final int ciphertextSegmentSize;
    private final int plaintextSegmentSize;
    private final int headerLength;

    SegmentLayout(int ciphertextSegmentSize, int derivedKeySize) {
        this.ciphertextSegmentSize = ciphertextSegmentSize;
        this.plaintextSegmentSize = ciphertextSegmentSize - TAG;
        this.headerLength = 1 + derivedKeySize + NONCE_PREFIX;
    }

    static SegmentLayout of(StreamingParameters streaming) {
        AesGcmHkdfStreamingParameters p =
                (AesGcmHkdfStreamingParameters) streaming.tinkParameters();
        return new SegmentLayout(
                p.getCiphertextSegmentSizeBytes(), p.getDerivedAesGcmKeySizeBytes());
    }

    public int ciphertextSegmentSize() {
        return ciphertextSegmentSize;
    }

    int plaintextSegmentSize() {
        return plaintextSegmentSize;
    }

    int headerLength() {
        return headerLength;
    }

    /**
     * Plaintext bytes segment {@code k} holds when it is not the last one, its trailer included.
     */
    int rawSize(long k) {
        return k == 0 ? plaintextSegmentSize - headerLength : plaintextSegmentSize;
    }

    /** The plaintext position where segment {@code k} starts. */
    long rawStart(long k) {
        return k == 0 ? 0 : k * plaintextSegmentSize - headerLength;
    }

    /**
     * The plaintext length of a body of {@code bodyLength} ciphertext bytes, as Tink computes it
     * (unverified: reading the last segment verifies it).
     */
    long rawLength(long bodyLength) {
        long segments = (bodyLength + ciphertextSegmentSize - 1) / ciphertextSegmentSize;
        return bodyLength - headerLength - segments * TAG;
    }

    /** How many segments a body of {@code rawLength} plaintext bytes has (at least one). */
    long segments(long rawLength) {
        long first = rawSize(0);
        if (rawLength <= first) {
            return 1;
        }
        return 1 + (rawLength - first + plaintextSegmentSize - 1) / plaintextSegmentSize;
    }

    /**
     * The first segment owned by a split that starts at file offset {@code splitStart}, in a file
     * whose body starts at {@code bodyStart} (the header's length): segment {@code k >= 1} belongs
     * to the split holding the file byte where its ciphertext starts, segment 0 to the split at
     * offset 0. Adjacent splits therefore own disjoint runs of segments that cover the file.
     */
    public long firstSegmentOwned(long splitStart, long bodyStart) {
        if (splitStart <= 0) {
            return 0;
        }
        long body = splitStart - bodyStart;
        if (body <= ciphertextSegmentSize) {
            return 1;
        }
        return (body + ciphertextSegmentSize - 1) / ciphertextSegmentSize;
    }
}
