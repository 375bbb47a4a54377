package dev.ppml.jobs.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;

/**
 * The live heap a piece of work holds, not the heap it fills with garbage: the heap in use right
 * after a full collection (the collection usage of every heap pool) at points the caller picks
 * while the work runs, the highest of them, less the same figure before the work started. Each
 * sample is a stop-the-world collection; its wall and CPU time are added up so that the caller can
 * leave them out of its timing.
 */
final class LiveHeap {
    private final long before;
    private long peak;
    private long pauseNanos;
    private long pauseCpuNanos;

    private LiveHeap(long before) {
        this.before = before;
    }

    /** Collects, and remembers the live heap of everything before the work. */
    static LiveHeap start() {
        return new LiveHeap(afterFullGc());
    }

    /** Collects now and keeps the live heap if it is the highest so far. */
    void sample() {
        long t = System.nanoTime();
        long cpu = ProcessCpu.nanos();
        peak = Math.max(peak, afterFullGc() - before);
        pauseNanos += System.nanoTime() - t;
        pauseCpuNanos += ProcessCpu.nanos() - cpu;
    }

    /** The highest live heap sampled, beyond what was live before; 0 without samples. */
    long peakBytes() {
        return Math.max(0, peak);
    }

    /** Wall time the samples took. */
    long pauseNanos() {
        return pauseNanos;
    }

    /** Process CPU time the samples took (the collector's threads). */
    long pauseCpuNanos() {
        return pauseCpuNanos;
    }

    private static long afterFullGc() {
        System.gc();
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage afterGc =
                    pool.getType() == MemoryType.HEAP ? pool.getCollectionUsage() : null;
            if (afterGc != null) {
                used += afterGc.getUsed();
            }
        }
        return used;
    }
}
