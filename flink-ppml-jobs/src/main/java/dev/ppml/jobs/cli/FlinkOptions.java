package dev.ppml.jobs.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.configuration.BatchExecutionOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Option;

/**
 * The Flink options every job command takes: {@code -D key=value} configuration and the
 * parallelism. Outside {@code flink run} the job runs on an embedded MiniCluster.
 */
public final class FlinkOptions {

    @Option(
            names = "-D",
            paramLabel = "key=value",
            description =
                    "A Flink configuration option, e.g. -D parallelism.default=2 (repeatable).")
    Map<String, String> options = new LinkedHashMap<>();

    @Option(
            names = {"-p", "--parallelism"},
            paramLabel = "P",
            description = "Parallelism of the job (default: the number of cores).")
    Integer parallelism;

    /** The configuration given with {@code -D}. */
    public Configuration configuration() {
        return Configuration.fromMap(options);
    }

    /**
     * The execution environment: the cluster's under {@code flink run}, otherwise a local
     * MiniCluster configured with the {@code -D} options.
     */
    public StreamExecutionEnvironment environment() {
        return environment(Map.of());
    }

    /**
     * The execution environment, as {@link #environment()}, with {@code defaults} added to the
     * configuration where {@code -D} does not set the same key.
     */
    public StreamExecutionEnvironment environment(Map<String, String> defaults) {
        Map<String, String> merged = new LinkedHashMap<>(defaults);
        merged.putAll(options);
        Configuration conf = Configuration.fromMap(merged);
        if (parallelism != null) {
            if (parallelism < 1) {
                throw new IllegalArgumentException(
                        "--parallelism must be at least 1, was " + parallelism);
            }
            // Batch jobs otherwise let the adaptive scheduler pick each operator's parallelism
            // from the data volume, and a small input would get 1 whatever was asked for.
            conf.set(BatchExecutionOptions.ADAPTIVE_AUTO_PARALLELISM_ENABLED, false);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        if (env instanceof LocalStreamEnvironment) {
            // On the embedded cluster the client also lists and checks paths (e.g. an oss://
            // output directory): its file systems get the -D configuration (fs.oss.endpoint, ...).
            // Under flink run the cluster's configuration and plugins stay as they are.
            FileSystem.initialize(conf, null);
        }
        if (parallelism != null) {
            env.setParallelism(parallelism);
        }
        return env;
    }
}
