package dev.ppml.connector.checksum;

import java.util.zip.Checksum;
import org.apache.flink.annotation.Internal;

/**
 * The CRC-64/XZ functions the {@code oss://} writer needs (the checksum OSS reports as {@code
 * x-oss-hash-crc64ecma}): a streaming checksum and {@link #combine}, on {@link Crc64}.
 */
@Internal
public final class Crc64s {
    private Crc64s() {}

    /** A fresh streaming CRC64 checksum. */
    public static Checksum newChecksum() {
        return new Crc64();
    }

    /** The CRC64 of {@code A || B} from {@code crc(A)}, {@code crc(B)} and {@code |B|}. */
    public static long combine(long crcA, long crcB, long lengthB) {
        return Crc64.combine(crcA, crcB, lengthB);
    }

    /** The CRC64 of a byte range. */
    public static long of(byte[] b, int off, int len) {
        return Crc64.of(b, off, len);
    }

    /** The decimal unsigned form OSS uses in {@code x-oss-hash-crc64ecma}. */
    public static String toOssString(long crc) {
        return Long.toUnsignedString(crc);
    }
}
