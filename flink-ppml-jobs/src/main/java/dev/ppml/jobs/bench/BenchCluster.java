package dev.ppml.jobs.bench;

import java.net.URI;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.BatchExecutionOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

/**
 * One embedded Flink cluster for a whole bench run, so that every measured job pays the same,
 * cluster start excluded; jobs reach it through its REST endpoint, as from a client.
 */
final class BenchCluster implements AutoCloseable {
    private final MiniCluster cluster;
    private final URI rest;
    private final Configuration config;
    private final int parallelism;

    BenchCluster(Configuration options, int parallelism) throws Exception {
        this.parallelism = parallelism;
        config = new Configuration(options);
        config.set(RestOptions.BIND_PORT, "0");
        // -p means every operator: batch jobs would otherwise size themselves from the input
        config.set(BatchExecutionOptions.ADAPTIVE_AUTO_PARALLELISM_ENABLED, false);
        config.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
        cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(config)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(parallelism)
                                .build());
        cluster.start();
        rest = cluster.getRestAddress().get();
    }

    /** A batch table environment whose jobs run on this cluster. */
    StreamTableEnvironment tableEnvironment() {
        return StreamTableEnvironment.create(
                environment(new Configuration()), EnvironmentSettings.inBatchMode());
    }

    /** An environment whose jobs run on this cluster, with {@code job} added to its options. */
    StreamExecutionEnvironment environment(Configuration job) {
        Configuration conf = new Configuration(config);
        conf.addAll(job);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createRemoteEnvironment(
                        rest.getHost(), rest.getPort(), conf);
        env.setParallelism(parallelism);
        return env;
    }

    /** A batch DataStream environment whose jobs run on this cluster at parallelism {@code p}. */
    StreamExecutionEnvironment streamEnvironment(int p) {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createRemoteEnvironment(
                        rest.getHost(), rest.getPort(), new Configuration(config));
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.setParallelism(p);
        return env;
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
