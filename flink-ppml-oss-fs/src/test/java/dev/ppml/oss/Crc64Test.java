package dev.ppml.oss;

import static org.assertj.core.api.Assertions.assertThat;

import com.aliyun.oss.common.utils.CRC64;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Crc64Test {

    @Test
    void checkValue() {
        byte[] b = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(Crc64.of(b, 0, b.length)).isEqualTo(0x995DC9BBDF1939FAL);
        assertThat(Crc64.of(new byte[0], 0, 0)).isZero();
    }

    @Test
    void equalsTheSdkOnRandomDataOfManyLengthsAndOffsets() {
        Random random = new Random(1);
        // the interleaved path takes 4 lanes of 32 KiB at a time
        byte[] data = new byte[3 * 4 * 32 * 1024 + 1000];
        random.nextBytes(data);
        int[] lengths = {
            0, 1, 7, 8, 9, 63, 4096, 131_071, 131_072, 131_073, 262_144 + 11, data.length - 13
        };
        for (int len : lengths) {
            for (int off : new int[] {0, 1, 5, 13}) {
                if (off + len > data.length) {
                    continue;
                }
                CRC64 sdk = new CRC64();
                sdk.update(data, off, len);
                assertThat(Crc64.of(data, off, len))
                        .as("len %d off %d", len, off)
                        .isEqualTo(sdk.getValue());
            }
        }
    }

    @Test
    void incrementalUpdatesInAnyPiecesGiveTheSameCrc() {
        Random random = new Random(2);
        byte[] data = new byte[400_000];
        random.nextBytes(data);
        long whole = Crc64.of(data, 0, data.length);
        Crc64 c = new Crc64();
        int at = 0;
        while (at < data.length) {
            int n = Math.min(data.length - at, random.nextInt(150_000));
            if (n % 3 == 0 && n > 0) {
                c.update(data[at]);
                at++;
                continue;
            }
            c.update(ByteBuffer.wrap(data, at, n));
            at += n;
        }
        assertThat(c.getValue()).isEqualTo(whole);
        c.reset();
        assertThat(c.getValue()).isZero();
    }

    @Test
    void combineEqualsTheCrcOfTheConcatenation() {
        Random random = new Random(3);
        byte[] data = new byte[300_000];
        random.nextBytes(data);
        for (int i = 0; i < 20; i++) {
            int split = random.nextInt(data.length + 1);
            long a = Crc64.of(data, 0, split);
            long b = Crc64.of(data, split, data.length - split);
            assertThat(Crc64.combine(a, b, data.length - split))
                    .isEqualTo(Crc64.of(data, 0, data.length));
            assertThat(Crc64.combine(a, b, data.length - split))
                    .isEqualTo(CRC64.combine(a, b, data.length - split));
        }
        assertThat(Crc64.combine(42, 0, 0)).isEqualTo(42);
    }

    @Test
    void ossDecimalUnsignedForm() {
        long topBitSet = 0x995DC9BBDF1939FAL;
        assertThat(Crc64.toOssString(topBitSet)).isEqualTo("11051210869376104954");
        assertThat(Crc64.fromOssString("11051210869376104954")).isEqualTo(topBitSet);
    }
}
