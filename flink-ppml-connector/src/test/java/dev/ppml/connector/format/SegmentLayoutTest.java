package dev.ppml.connector.format;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingParameters;
import com.google.crypto.tink.subtle.AesGcmHkdfStreaming;
import dev.ppml.connector.keys.MasterKey;
import dev.ppml.keys.KeyServices;
import dev.ppml.keys.testing.LocalKeys;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
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
        int cap0 = layout.rawSize(0) - SegmentLayout.TRAILER;
        int cap = layout.rawSize(1) - SegmentLayout.TRAILER;
        Random random = new Random(1);
        for (int length :
                new int[] {
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
                }) {
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
