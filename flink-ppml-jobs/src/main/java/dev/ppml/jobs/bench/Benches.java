package dev.ppml.jobs.bench;

import dev.ppml.connector.keys.MasterKey;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;

/** The cases of {@code bin/ppml bench}, by name, with their defaults. */
public final class Benches {
    public static final List<String> NAMES =
            List.of(
                    "crc64",
                    "aead",
                    "sink-local",
                    "simple-query",
                    "verified-read",
                    "split-read",
                    "sink-oss",
                    "large-file");

    /** How often the sink-oss jobs checkpoint, unless -D execution.checkpointing.interval says. */
    static final Duration SINK_OSS_CHECKPOINT_INTERVAL = Duration.ofSeconds(1);

    private Benches() {}

    /** A case and what it holds open (the embedded cluster of the job cases). */
    public record Setup(BenchCase bench, @Nullable AutoCloseable resource)
            implements AutoCloseable {
        @Override
        public void close() throws Exception {
            try {
                bench.close();
            } finally {
                if (resource != null) {
                    resource.close();
                }
            }
        }
    }

    /** Whether the case encrypts under a master key. */
    public static boolean needsKey(String name) {
        return !"crc64".equals(name) && !"large-file".equals(name);
    }

    /**
     * The case {@code name}; {@code size} and {@code rows} null for their defaults. What was used
     * goes into {@code settings}.
     */
    public static Setup create(
            String name,
            @Nullable Long size,
            @Nullable Long rows,
            int parallelism,
            Path dir,
            MasterKey masterKey,
            String keyUri,
            Configuration flinkOptions,
            Map<String, Object> settings)
            throws Exception {
        switch (name) {
            case "crc64" -> {
                long bytes = size != null ? size : 64L << 20;
                settings.put("size_bytes", bytes);
                return new Setup(new Crc64Case(bytes), null);
            }
            case "aead" -> {
                long bytes = size != null ? size : 256L << 20;
                settings.put("size_bytes", bytes);
                return new Setup(new AeadCase(bytes, masterKey), null);
            }
            case "sink-local", "simple-query", "verified-read" -> {
                SqlJobCase.Kind kind =
                        switch (name) {
                            case "sink-local" -> SqlJobCase.Kind.SINK_LOCAL;
                            case "simple-query" -> SqlJobCase.Kind.SIMPLE_QUERY;
                            default -> SqlJobCase.Kind.VERIFIED_READ;
                        };
                long n =
                        rows != null
                                ? rows
                                : kind == SqlJobCase.Kind.SINK_LOCAL ? 3_000_000 : 5_000_000;
                if (n < 1) {
                    throw new IllegalArgumentException("--rows must be at least 1, was " + n);
                }
                settings.put("rows", n);
                BenchCluster cluster = new BenchCluster(flinkOptions, parallelism);
                return new Setup(
                        new SqlJobCase(kind, n, parallelism, dir, keyUri, cluster), cluster);
            }
            case "split-read" -> {
                long bytes = size != null ? size : 2L << 30;
                settings.put("size_bytes", bytes);
                settings.put("parallelisms", SplitReadCase.PARALLELISMS);
                int slots = SplitReadCase.PARALLELISMS[SplitReadCase.PARALLELISMS.length - 1];
                BenchCluster cluster = new BenchCluster(flinkOptions, slots);
                return new Setup(
                        new SplitReadCase(bytes, dir, masterKey, keyUri, cluster), cluster);
            }
            case "sink-oss" -> {
                // enough rows that the run outlasts its checkpoints several times: with fewer, both
                // sides wait for the same final checkpoint and the case measures its interval
                long n = rows != null ? rows : 20_000_000;
                if (n < 1) {
                    throw new IllegalArgumentException("--rows must be at least 1, was " + n);
                }
                Duration interval =
                        flinkOptions
                                .getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL)
                                .orElse(SINK_OSS_CHECKPOINT_INTERVAL);
                settings.put("rows", n);
                settings.put("checkpoint_interval_ms", interval.toMillis());
                settings.put("part_size_bytes", BenchOss.PART_SIZE);
                settings.put("upload_concurrency", BenchOss.CONCURRENCY);
                BenchCluster cluster = new BenchCluster(flinkOptions, parallelism);
                BenchOss oss;
                try {
                    // the inputs are a few dozen bytes per row; each round's output replaces the
                    // last
                    Path storage = BenchOss.serverStorage(dir, 200 * n);
                    settings.put("server_storage", storage.toString());
                    oss = BenchOss.start(storage, dir.resolve("flink-oss-tmp"));
                    oss.install(flinkOptions);
                } catch (Exception | Error e) {
                    cluster.close();
                    throw e;
                }
                AutoCloseable both =
                        () -> {
                            try (cluster;
                                    oss) {
                                // closes the server, then the cluster
                            }
                        };
                return new Setup(
                        new OssSinkCase(n, parallelism, dir, keyUri, interval, cluster, oss), both);
            }
            case "large-file" -> {
                long bytes = size != null ? size : 1L << 30;
                if (bytes < 1) {
                    throw new IllegalArgumentException("--size must be at least 1 byte");
                }
                settings.put("size_bytes", bytes);
                settings.put("part_size_bytes", BenchOss.PART_SIZE);
                settings.put("upload_concurrency", BenchOss.CONCURRENCY);
                Path storage = BenchOss.serverStorage(dir, bytes);
                settings.put("server_storage", storage.toString());
                BenchOss oss = BenchOss.start(storage, dir.resolve("flink-oss-tmp"));
                return new Setup(new LargeFileCase(bytes, oss), oss);
            }
            default ->
                    throw new IllegalArgumentException(
                            "unknown benchmark '"
                                    + name
                                    + "'; expected one of "
                                    + String.join(", ", NAMES));
        }
    }

    public static void deleteRecursively(Path path) throws IOException {
        SqlJobCase.deleteRecursively(path);
    }
}
