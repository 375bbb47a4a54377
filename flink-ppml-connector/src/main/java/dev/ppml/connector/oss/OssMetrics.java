package dev.ppml.connector.oss;

import java.util.concurrent.atomic.AtomicLong;
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
    static final AtomicLong BYTES_UPLOADED = new AtomicLong();
    static final AtomicLong PARTS_UPLOADED = new AtomicLong();
    static final AtomicLong CRC_MISMATCHES = new AtomicLong();
    static final AtomicLong PART_RETRIES = new AtomicLong();
    static final AtomicLong COMMITS_VERIFIED = new AtomicLong();
    static final AtomicLong COMMIT_FAILURES = new AtomicLong();

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
