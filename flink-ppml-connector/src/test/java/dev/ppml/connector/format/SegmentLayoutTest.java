package dev.ppml.connector.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingParameters;
import com.google.crypto.tink.subtle.AesGcmHkdfStreaming;
import dev.ppml.connector.keys.MasterKey;
import dev.ppml.keys.KeyServices;
import dev.ppml.keys.testing.LocalKeys;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The segment geometry we compute from a preset agrees with Tink's own, and version-2 bodies round
 * trip at every length around a segment boundary.
 */
class SegmentLayoutTest {
    @TempDir Path dir;
    private MasterKey key;

    @BeforeEach
    void setUp() throws Exception {
        KeyServices.invalidateAll();
        key = MasterKey.of(LocalKeys.create(dir, "master"));
    }

    @ParameterizedTest
    @EnumSource(StreamingParameters.class)
    void geometryIsTinks(StreamingParameters streaming) throws Exception {
        AesGcmHkdfStreamingParameters p =
                (AesGcmHkdfStreamingParameters) streaming.tinkParameters();
        AesGcmHkdfStreaming tink =
                new AesGcmHkdfStreaming(
                        new byte[p.getKeySizeBytes()],
                        "HmacSha256",
                        p.getDerivedAesGcmKeySizeBytes(),
                        p.getCiphertextSegmentSizeBytes(),
                        0);
        SegmentLayout layout = SegmentLayout.of(streaming);
        assertThat(layout.ciphertextSegmentSize()).isEqualTo(tink.getCiphertextSegmentSize());
        assertThat(layout.plaintextSegmentSize()).isEqualTo(tink.getPlaintextSegmentSize());
        assertThat(layout.headerLength()).isEqualTo(tink.getHeaderLength());
        assertThat(tink.getCiphertextOffset()).isEqualTo(tink.getHeaderLength());
        // Tink's own size formula: every segment a tag, the first one the header too.
        for (long raw : new long[] {0, 1, layout.rawSize(0), layout.rawSize(0) + 1, 5_000_000}) {
            long segments = layout.segments(raw);
            assertThat(tink.expectedCiphertextSize(raw))
                    .as("%d plaintext bytes", raw)
                    .isEqualTo(raw + segments * 16 + layout.headerLength());
            assertThat(layout.rawStart(segments - 1)).isLessThanOrEqualTo(Math.max(0, raw - 1));
        }
    }

    @Test
    void bodiesRoundTripAtEveryLengthAroundSegmentBoundaries() throws Exception {
        StreamingParameters streaming = StreamingParameters.AES256_GCM_HKDF_4KB;
        SegmentLayout layout = SegmentLayout.of(streaming);
        Random random = new Random(1);
        for (int length : boundaryLengths(layout)) {
            byte[] data = new byte[length];
            random.nextBytes(data);
            for (int chunk : new int[] {1, 7, 4096, 100_000}) {
                ByteArrayOutputStream file = new ByteArrayOutputStream();
                try (OutputStream out = PpmlFiles.encrypt(file, key, streaming, "bin")) {
                    for (int off = 0; off < length; off += chunk) {
                        int n = Math.min(chunk, length - off);
                        if (n == 1) {
                            out.write(data[off]);
                        } else {
                            out.write(data, off, n);
                        }
                    }
                }
                for (int readChunk : new int[] {1, 3, 4, 5, 8, 100_000}) {
                    assertThat(readAll(file.toByteArray(), readChunk))
                            .as("length %d, written by %d, read by %d", length, chunk, readChunk)
                            .isEqualTo(data);
                }
            }
        }
    }

    /**
     * Our writer and reader drive Tink's segment encrypter and decrypter themselves; their bodies
     * must be exactly Tink's streaming format: what we write, Tink's own stream decrypts to the
     * data framed with trailers, and what Tink's stream writes, framed as this release frames a
     * body (a body whose data ends on a segment boundary ends with a trailer-only segment) or as
     * earlier releases did (it ends with that full segment), we read back.
     */
    @ParameterizedTest
    @EnumSource(names = {"AES256_GCM_HKDF_4KB", "AES128_GCM_HKDF_4KB"})
    void bodiesAreTinksStreamingFormat(StreamingParameters streaming) throws Exception {
        SegmentLayout layout = SegmentLayout.of(streaming);
        Random random = new Random(3);
        for (int length : boundaryLengths(layout)) {
            byte[] data = new byte[length];
            random.nextBytes(data);
            ByteArrayOutputStream ours = new ByteArrayOutputStream();
            try (OutputStream out = PpmlFiles.encrypt(ours, key, streaming, "bin")) {
                out.write(data);
            }
            assertThat(readWithTinksStream(ours.toByteArray()))
                    .as("our body of %d bytes, read by Tink's stream", length)
                    .isEqualTo(frame(data, layout, true));
            for (boolean trailerOnlyEnd : new boolean[] {true, false}) {
                ByteArrayOutputStream tinks = new ByteArrayOutputStream();
                try (OutputStream out = PpmlFiles.encrypt(tinks, key, streaming, "bin", null, 2)) {
                    out.write(frame(data, layout, trailerOnlyEnd));
                }
                assertThat(readAll(tinks.toByteArray(), 4096))
                        .as(
                                "Tink's body of %d bytes (trailer-only end: %s)",
                                length, trailerOnlyEnd)
                        .isEqualTo(data);
            }
        }
    }

    private static int[] boundaryLengths(SegmentLayout layout) {
        int cap0 = layout.rawSize(0) - SegmentLayout.TRAILER;
        int cap = layout.rawSize(1) - SegmentLayout.TRAILER;
        return new int[] {
            0,
            1,
            3,
            4,
            5,
            cap0 - 1,
            cap0,
            cap0 + 1,
            cap0 + cap - 1,
            cap0 + cap,
            cap0 + cap + 1,
            cap0 + 3 * cap,
            cap0 + 3 * cap + 2
        };
    }

    /** The raw plaintext of a version-2 body holding {@code data} and no record marks. */
    private static byte[] frame(byte[] data, SegmentLayout layout, boolean trailerOnlyEnd) {
        ByteBuffer raw = ByteBuffer.allocate(data.length + 4 * (data.length / 100 + 2));
        int off = 0;
        for (long segment = 0; ; segment++) {
            int capacity = layout.rawSize(segment) - SegmentLayout.TRAILER;
            int n = Math.min(capacity, data.length - off);
            raw.put(data, off, n).putInt(SegmentLayout.NO_MARK);
            off += n;
            if (off == data.length && (n < capacity || !trailerOnlyEnd)) {
                break;
            }
        }
        return Arrays.copyOf(raw.array(), raw.position());
    }

    private byte[] readWithTinksStream(byte[] file) throws Exception {
        InputStream in = new ByteArrayInputStream(file);
        PpmlFileHeader.Parsed parsed = PpmlFileHeader.read(in, "f");
        try (InputStream raw =
                PpmlFiles.dataKeyPrimitive(parsed.header, key, "f")
                        .newDecryptingStream(in, parsed.prefix)) {
            return raw.readAllBytes();
        }
    }

    /**
     * A read into a buffer that holds a whole segment decrypts straight into it: the bytes past
     * those returned stay as the caller left them, and a segment that fails authentication leaves
     * none of its plaintext there.
     */
    @Test
    void readsIntoLargeBuffersTouchOnlyWhatTheyReturn() throws Exception {
        StreamingParameters streaming = StreamingParameters.AES256_GCM_HKDF_4KB;
        byte[] data = new byte[3 * 4096];
        new Random(4).nextBytes(data);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (OutputStream out = PpmlFiles.encrypt(file, key, streaming, "bin")) {
            out.write(data);
        }
        byte[] buffer = new byte[3 * 4096 + 100];
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        try (InputStream in =
                PpmlFiles.decrypt(new ByteArrayInputStream(file.toByteArray()), key, "f")) {
            for (int n; ; back.write(buffer, 10, n)) {
                Arrays.fill(buffer, (byte) 0x5a);
                n = in.read(buffer, 10, buffer.length - 20);
                if (n < 0) {
                    break;
                }
                assertThat(n).isLessThanOrEqualTo(SegmentLayout.of(streaming).rawSize(1));
                for (int i = 0; i < buffer.length; i++) {
                    if (i < 10 || i >= 10 + n) {
                        assertThat(buffer[i])
                                .as("byte %d after a read of %d", i, n)
                                .isEqualTo((byte) 0x5a);
                    }
                }
            }
        }
        assertThat(back.toByteArray()).isEqualTo(data);

        byte[] damaged = file.toByteArray();
        int second = (int) (damaged.length - 2 * 4096); // inside the second segment's ciphertext
        damaged[second] ^= 1;
        Arrays.fill(buffer, (byte) 0);
        try (InputStream in = PpmlFiles.decrypt(new ByteArrayInputStream(damaged), key, "f")) {
            int first = in.read(buffer, 0, buffer.length);
            assertThat(first).isPositive();
            Arrays.fill(buffer, (byte) 0);
            assertThatThrownBy(() -> in.read(buffer, 0, buffer.length))
                    .isInstanceOf(PpmlFormatException.class)
                    .hasMessageContaining("segment 1");
        }
        assertThat(buffer).containsOnly((byte) 0);
    }

    @Test
    void versionOneFilesStayReadable() throws Exception {
        byte[] data = new byte[20_000];
        new Random(2).nextBytes(data);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (OutputStream out =
                PpmlFilesTestAccess.encryptVersion1(
                        file, key, StreamingParameters.AES256_GCM_HKDF_4KB)) {
            out.write(data);
        }
        assertThat(file.toByteArray()[4]).isEqualTo((byte) 1);
        assertThat(readAll(file.toByteArray(), 4096)).isEqualTo(data);
        assertThat(
                        PpmlFiles.readHeader(new ByteArrayInputStream(file.toByteArray()), "f")
                                .version())
                .isEqualTo(1);
    }

    private byte[] readAll(byte[] file, int chunk) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = PpmlFiles.decrypt(new ByteArrayInputStream(file), key, "f")) {
            byte[] buf = new byte[chunk];
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
            }
        }
        return out.toByteArray();
    }
}
