package dev.ppml.connector.checksum;

import com.aliyun.oss.common.utils.CRC64;
import java.util.zip.Checksum;
import org.apache.flink.annotation.Internal;

/**
 * The CRC-64/XZ functions the {@code oss://} writer needs (the checksum OSS reports as {@code
 * x-oss-hash-crc64ecma}): a streaming checksum and {@link #combine}. Delegates to the OSS SDK's
 * implementation until the project's faster one replaces it.
 */
@Internal
public final class Crc64s {
    private Crc64s() {}

    /** A fresh streaming CRC64 checksum. */
    public static Checksum newChecksum() {
        return new CRC64();
    }

    /** The CRC64 of {@code A || B} from {@code crc(A)}, {@code crc(B)} and {@code |B|}. */
    public static long combine(long crcA, long crcB, long lengthB) {
        return lengthB == 0 ? crcA : CRC64.combine(crcA, crcB, lengthB);
    }

    /** The CRC64 of a byte range. */
    public static long of(byte[] b, int off, int len) {
        Checksum c = newChecksum();
        c.update(b, off, len);
        return c.getValue();
    }

    /** The decimal unsigned form OSS uses in {@code x-oss-hash-crc64ecma}. */
    public static String toOssString(long crc) {
        return Long.toUnsignedString(crc);
    }
}
