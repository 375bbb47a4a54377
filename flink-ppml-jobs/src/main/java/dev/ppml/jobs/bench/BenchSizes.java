package dev.ppml.jobs.bench;

import java.util.Locale;
import org.apache.flink.configuration.MemorySize;

/** Sizes as users write them ({@code 64m}, {@code 1g}) and as the benches print them. */
public final class BenchSizes {
    private BenchSizes() {}

    /** Parses {@code 64m}, {@code 1gb}, {@code 512k}, or a byte count. */
    public static long parse(String text) {
        try {
            return MemorySize.parse(text.trim().toLowerCase(Locale.ROOT)).getBytes();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--size '" + text + "' is not a size; write e.g. 64m, 1g or 5g", e);
        }
    }

    static int toInt(long bytes, String what) {
        if (bytes < 1 || bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    what + " must be between 1 byte and 2 GiB for an in-memory case, was " + bytes);
        }
        return (int) bytes;
    }

    public static String format(long bytes) {
        if (bytes >= 1L << 30 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + " GiB";
        }
        if (bytes >= 1L << 20) {
            return String.format(Locale.ROOT, "%.0f MiB", bytes / (double) (1 << 20));
        }
        return bytes + " bytes";
    }
}
