package dev.ppml.oss;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

class OssMetricsTest {

    /** Keeps what is registered, under its full name. */
    private static final class Capturing extends UnregisteredMetricsGroup {
        final Map<String, Metric> metrics = new HashMap<>();
        private final String prefix;

        Capturing(String prefix, Map<String, Metric> shared) {
            this.prefix = prefix;
            if (shared != null) {
                metrics.putAll(shared);
            }
        }

        @Override
        public MetricGroup addGroup(String name) {
            Capturing child = new Capturing(prefix + name + ".", null);
            childOf = child;
            return child;
        }

        Capturing childOf;

        @Override
        public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
            metrics.put(prefix + name, gauge);
            return gauge;
        }
    }

    @Test
    void registersEveryCounterAsAGaugeUnderOss() {
        Capturing group = new Capturing("", null);
        OssMetrics.registerOn(group);
        Map<String, Metric> m = group.childOf.metrics;
        assertThat(m)
                .containsOnlyKeys(
                        "oss.bytesUploaded",
                        "oss.partsUploaded",
                        "oss.crcMismatches",
                        "oss.partRetries",
                        "oss.commitsVerified",
                        "oss.commitFailures",
                        "oss.bufferedBytes");
        long before = (Long) ((Gauge<?>) m.get("oss.crcMismatches")).getValue();
        OssMetrics.crcMismatch();
        assertThat((Long) ((Gauge<?>) m.get("oss.crcMismatches")).getValue()).isEqualTo(before + 1);
    }
}
