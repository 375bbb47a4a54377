package dev.ppml.connector.format;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;

/** Initialization contexts for inner schemas opened inside a file reader or writer. */
final class SchemaContexts {
    private SchemaContexts() {}

    static SerializationSchema.InitializationContext serialization() {
        UserCodeClassLoader loader = loader();
        return new SerializationSchema.InitializationContext() {
            @Override
            public MetricGroup getMetricGroup() {
                return new UnregisteredMetricsGroup();
            }

            @Override
            public UserCodeClassLoader getUserCodeClassLoader() {
                return loader;
            }
        };
    }

    static DeserializationSchema.InitializationContext deserialization() {
        UserCodeClassLoader loader = loader();
        return new DeserializationSchema.InitializationContext() {
            @Override
            public MetricGroup getMetricGroup() {
                return new UnregisteredMetricsGroup();
            }

            @Override
            public UserCodeClassLoader getUserCodeClassLoader() {
                return loader;
            }
        };
    }

    private static UserCodeClassLoader loader() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return SimpleUserCodeClassLoader.create(
                cl != null ? cl : SchemaContexts.class.getClassLoader());
    }
}
