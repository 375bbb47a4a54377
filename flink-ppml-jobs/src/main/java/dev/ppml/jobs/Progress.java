package dev.ppml.jobs;

import java.util.concurrent.atomic.AtomicLong;

/**
 * In-process progress of the running job, for the local CLI's progress bar: operators add the bytes
 * they processed. Only meaningful on the embedded MiniCluster (same JVM as the CLI); on a real
 * cluster it stays at zero and nobody reads it.
 */
public final class Progress {
    private static final AtomicLong BYTES = new AtomicLong();

    private Progress() {}

    public static void reset() {
        BYTES.set(0);
    }

    public static void addBytes(long n) {
        BYTES.addAndGet(n);
    }

    public static long bytes() {
        return BYTES.get();
    }
}
