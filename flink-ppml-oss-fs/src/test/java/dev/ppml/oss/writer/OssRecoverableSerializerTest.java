package dev.ppml.oss.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ppml.oss.Crc64;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Checkpointed writer state must stay readable: the bytes of every serializer version are kept
 * under {@code src/test/resources/golden/} (regenerate a new version's file with {@code
 * -Dppml.golden.write=true}, never an old one's).
 */
class OssRecoverableSerializerTest {

    private static final Path GOLDEN_V1 =
            Path.of("src/test/resources/golden/oss-recoverable-v1.bin");

    /** The state the golden file holds: two parts and a tail. */
    static OssRecoverable sample() {
        byte[] a = "part one bytes".getBytes(StandardCharsets.UTF_8);
        byte[] b = "part two".getBytes(StandardCharsets.UTF_8);
        byte[] t = "tail".getBytes(StandardCharsets.UTF_8);
        long ca = Crc64.of(a, 0, a.length);
        long cb = Crc64.of(b, 0, b.length);
        long ct = Crc64.of(t, 0, t.length);
        long all = Crc64.combine(Crc64.combine(ca, cb, b.length), ct, t.length);
        return new OssRecoverable(
                "bucket",
                "dir/part-0.ppml",
                "upload-7",
                List.of(
                        new OssRecoverable.Part(1, "etag-1", a.length, ca),
                        new OssRecoverable.Part(2, "etag-2", b.length, cb)),
                "dir/_part-0.ppml_tmp_1",
                t.length,
                ct,
                a.length + b.length + t.length,
                all);
    }

    @Test
    void roundTrips() throws Exception {
        OssRecoverable r = sample();
        byte[] bytes = OssRecoverableSerializer.INSTANCE.serialize(r);
        assertThat(OssRecoverableSerializer.INSTANCE.deserialize(1, bytes)).isEqualTo(r);
    }

    @Test
    void readsTheGoldenBytesOfVersion1() throws Exception {
        if (Boolean.getBoolean("ppml.golden.write")) {
            Files.write(GOLDEN_V1, OssRecoverableSerializer.INSTANCE.serialize(sample()));
        }
        assertThat(OssRecoverableSerializer.INSTANCE.deserialize(1, Files.readAllBytes(GOLDEN_V1)))
                .isEqualTo(sample());
    }

    @Test
    void rejectsUnknownVersions() {
        assertThatThrownBy(() -> OssRecoverableSerializer.INSTANCE.deserialize(99, new byte[8]))
                .hasMessage("Unrecognized version or corrupt state: 99");
    }

    @Test
    void rejectsStateWhosePartsDoNotAddUp() throws Exception {
        byte[] bytes = OssRecoverableSerializer.INSTANCE.serialize(sample());
        bytes[bytes.length - 1] ^= 1; // the expected CRC64
        assertThatThrownBy(() -> OssRecoverableSerializer.INSTANCE.deserialize(1, bytes))
                .hasMessageContaining("part CRCs combine to");
    }
}
