package dev.ppml.oss.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.aliyun.oss.common.utils.CRC64;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The server's CRC-64/XZ agrees with the SDK's on every length and split of the input. */
class Crc64XzTest {

    @Test
    void checkValue() {
        byte[] b = "123456789".getBytes(StandardCharsets.US_ASCII);
        Crc64Xz crc = new Crc64Xz();
        crc.update(b, 0, b.length);
        assertThat(crc.getValue()).isEqualTo(0x995DC9BBDF1939FAL);
        assertThat(new Crc64Xz().getValue()).isZero();
    }

    @Test
    void agreesWithTheSdkOnEveryLengthOffsetAndSplit() {
        byte[] data = new byte[300];
        new Random(5).nextBytes(data);
        for (int off = 0; off < 9; off++) {
            for (int len = 0; off + len <= data.length; len += 7) {
                CRC64 sdk = new CRC64();
                sdk.update(data, off, len);
                int split = len / 3;
                Crc64Xz ours = new Crc64Xz();
                ours.update(data, off, split);
                ours.update(data, off + split, len - split);
                assertThat(ours.getValue()).as("off %d len %d", off, len).isEqualTo(sdk.getValue());
            }
        }
    }
}
