package dev.ppml.oss;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.metrics.MetricGroup;

/**
 * Counters of the {@code oss://} writers in this JVM (a TaskManager): what was uploaded, what
 * verification caught, and how commits ended. Flink hands file systems no metric group, so an
 * operator exposes them: {@link #registerOn(MetricGroup)} adds them as gauges under {@code oss} of
 * its group (the jobs of flink-ppml-jobs do it; in your own job call it from an operator's {@code
 * open()}, e.g. {@code OssMetrics.registerOn(getRuntimeContext().getMetricGroup())}).
 */
@PublicEvolving
public final class OssMetrics {
    private static final AtomicLong BYTES_UPLOADED = new AtomicLong();
    private static final AtomicLong PARTS_UPLOADED = new AtomicLong();
    private static final AtomicLong CRC_MISMATCHES = new AtomicLong();
    private static final AtomicLong PART_RETRIES = new AtomicLong();
    private static final AtomicLong COMMITS_VERIFIED = new AtomicLong();
    private static final AtomicLong COMMIT_FAILURES = new AtomicLong();
    private static final AtomicLong BUFFERED_BYTES = new AtomicLong();

    private OssMetrics() {}

    /** Adds the counters as gauges to {@code group} (under {@code oss}). */
    public static void registerOn(MetricGroup group) {
        MetricGroup oss = group.addGroup("oss");
        oss.gauge("bytesUploaded", BYTES_UPLOADED::get);
        oss.gauge("partsUploaded", PARTS_UPLOADED::get);
        oss.gauge("crcMismatches", CRC_MISMATCHES::get);
        oss.gauge("partRetries", PART_RETRIES::get);
        oss.gauge("commitsVerified", COMMITS_VERIFIED::get);
        oss.gauge("commitFailures", COMMIT_FAILURES::get);
        oss.gauge("bufferedBytes", BUFFERED_BYTES::get);
    }

    /** Counts one uploaded and verified part of {@code bytes} bytes (the writer calls it). */
    @Internal
    public static void partUploaded(long bytes) {
        PARTS_UPLOADED.incrementAndGet();
        BYTES_UPLOADED.addAndGet(bytes);
    }

    /** Counts one CRC64 mismatch that verification caught (the writer calls it). */
    @Internal
    public static void crcMismatch() {
        CRC_MISMATCHES.incrementAndGet();
    }

    /** Counts one part upload that is tried again (the writer calls it). */
    @Internal
    public static void partRetry() {
        PART_RETRIES.incrementAndGet();
    }

    /** Counts one commit whose object CRC64 was verified (the committer calls it). */
    @Internal
    public static void commitVerified() {
        COMMITS_VERIFIED.incrementAndGet();
    }

    /** Counts one commit that failed (the committer calls it). */
    @Internal
    public static void commitFailed() {
        COMMIT_FAILURES.incrementAndGet();
    }

    /** Counts part-buffer memory a file's pool allocated (the writer calls it). */
    @Internal
    public static void buffersAllocated(long bytes) {
        BUFFERED_BYTES.addAndGet(bytes);
    }

    /** Counts part-buffer memory a finished file gave up (the writer calls it). */
    @Internal
    public static void buffersReleased(long bytes) {
        BUFFERED_BYTES.addAndGet(-bytes);
    }

    /**
     * Bytes of part-buffer memory the open {@code oss://} files of this JVM hold now (memory
     * buffering only; each file at most {@code fs.oss.upload.max-buffered-memory}). A file's pool
     * only grows until the file is committed or closed, so while one file is open this is also the
     * most it held.
     */
    public static long bufferedBytes() {
        return BUFFERED_BYTES.get();
    }

    public static long bytesUploaded() {
        return BYTES_UPLOADED.get();
    }

    public static long partsUploaded() {
        return PARTS_UPLOADED.get();
    }

    public static long crcMismatches() {
        return CRC_MISMATCHES.get();
    }

    public static long partRetries() {
        return PART_RETRIES.get();
    }

    public static long commitsVerified() {
        return COMMITS_VERIFIED.get();
    }

    public static long commitFailures() {
        return COMMIT_FAILURES.get();
    }
}
