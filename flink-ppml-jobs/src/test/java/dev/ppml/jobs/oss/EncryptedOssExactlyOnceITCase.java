package dev.ppml.jobs.oss;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ppml.connector.format.CsvLines;
import dev.ppml.connector.format.PpmlFiles;
import dev.ppml.connector.keys.MasterKey;
import dev.ppml.connector.sink.EncryptedFileSink;
import dev.ppml.keys.testing.LocalKeys;
import dev.ppml.oss.OssOptions;
import dev.ppml.oss.testing.OssTestServer;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.DefaultRollingPolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once to oss:// on a MiniCluster (the file system loaded from the class path, as for
 * bin/ppml), with a failure injected after a completed checkpoint: EncryptedFileSink (bulk, roll on
 * checkpoint) and plain FileSink with a row format and size rolling (persist/resume).
 */
class EncryptedOssExactlyOnceITCase {

    private static OssTestServer server;

    @TempDir Path dir;

    @BeforeAll
    static void start() throws Exception {
        server = OssTestServer.start();
        server.createBucket("bkt");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Configuration conf() {
        Configuration conf = new Configuration();
        conf.set(OssOptions.ENDPOINT, server.endpoint());
        conf.set(OssOptions.ACCESS_KEY_ID, OssTestServer.ACCESS_KEY_ID);
        conf.set(OssOptions.ACCESS_KEY_SECRET, OssTestServer.ACCESS_KEY_SECRET);
        conf.set(OssOptions.PART_SIZE, MemorySize.parse("100kb"));
        // checkpoints go to oss:// too: the recovery after the injected failure restores from it
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, "oss://bkt/checkpoints");
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        return conf;
    }

    /** A POJO. */
    public static class Event {
        public long id;
        public String payload;

        public Event() {}

        Event(long id) {
            this.id = id;
            this.payload = "event-" + id + "-" + "x".repeat(40);
        }
    }

    @Test
    void encryptedFileSinkToOssIsExactlyOnceAcrossAFailure() throws Exception {
        String keyUri = LocalKeys.create(dir, "master");
        CsvLines<Event> csv = CsvLines.forPojo(Event.class, "id", "payload");
        Configuration conf = conf();
        FileSystem.initialize(conf, null);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(200);
        FailAfterCheckpoint.failed = false;
        env.fromSequence(0, 5_999)
                .map(new FailAfterCheckpoint())
                .map(Event::new)
                .sinkTo(
                        EncryptedFileSink.forRecordFormat(
                                        new org.apache.flink.core.fs.Path("oss://bkt/enc"), csv)
                                .withKeyUri(keyUri)
                                .withBucketAssigner(new BasePathBucketAssigner<>())
                                .build());
        env.execute("encrypted to oss");

        assertThat(FailAfterCheckpoint.failed).isTrue();
        assertThat(server.keys("bkt"))
                .as("checkpoint metadata written to oss://")
                .anyMatch(k -> k.startsWith("checkpoints/") && k.endsWith("/_metadata"));
        List<Long> ids = new ArrayList<>();
        for (String key : server.keys("bkt")) {
            if (!key.startsWith("enc/part-")) {
                continue;
            }
            try (InputStream in =
                    PpmlFiles.decrypt(
                            new ByteArrayInputStream(server.objectBytes("bkt", key)),
                            MasterKey.of(keyUri),
                            key)) {
                for (String line :
                        new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    if (!line.isEmpty()) {
                        ids.add(Long.parseLong(line.split(",")[0]));
                    }
                }
            }
        }
        assertThat(ids)
                .containsExactlyInAnyOrderElementsOf(
                        LongStream.range(0, 6_000).boxed().collect(Collectors.toList()));
    }

    @Test
    void rowFormatFileSinkWithSizeRollingResumesThroughPersist() throws Exception {
        Configuration conf = conf();
        FileSystem.initialize(conf, null);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        env.enableCheckpointing(150);
        FailAfterCheckpoint.failed = false;
        env.fromSequence(0, 19_999)
                .map(new FailAfterCheckpoint())
                .map(i -> "row-" + i + "-" + "y".repeat(30))
                .sinkTo(
                        FileSink.forRowFormat(
                                        new org.apache.flink.core.fs.Path("oss://bkt/rows"),
                                        new SimpleStringEncoder<String>())
                                .withBucketAssigner(new BasePathBucketAssigner<>())
                                .withRollingPolicy(
                                        DefaultRollingPolicy.builder()
                                                .withMaxPartSize(MemorySize.parse("150kb"))
                                                .withRolloverInterval(Duration.ofMinutes(10))
                                                .build())
                                .build());
        env.execute("rows to oss");

        assertThat(FailAfterCheckpoint.failed).isTrue();
        assertEveryRowOnce("rows/part-", 20_000);
        assertThat(server.requests("PutObject")).as("persist() uploaded tails").isGreaterThan(0);
    }

    @Test
    void lostDiskBuffersFailTheWriteAndTheJobRecoversExactlyOnce() throws Exception {
        Path buffers = dir.resolve("buffers");
        Configuration conf = conf();
        conf.set(OssOptions.BUFFER_DIRS, List.of(buffers.toString()));
        FileSystem.initialize(conf, null);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        env.enableCheckpointing(150);
        DeleteBuffersAfterCheckpoint.buffers = buffers.toString();
        DeleteBuffersAfterCheckpoint.deleted = false;
        DeleteBuffersAfterCheckpoint.attempts.set(0);
        env.fromSequence(0, 19_999)
                .map(new DeleteBuffersAfterCheckpoint())
                .map(i -> "row-" + i + "-" + "z".repeat(30))
                .sinkTo(
                        FileSink.forRowFormat(
                                        new org.apache.flink.core.fs.Path("oss://bkt/disk"),
                                        new SimpleStringEncoder<String>())
                                .withBucketAssigner(new BasePathBucketAssigner<>())
                                .withRollingPolicy(
                                        DefaultRollingPolicy.builder()
                                                .withMaxPartSize(MemorySize.parse("300kb"))
                                                .withRolloverInterval(Duration.ofMinutes(10))
                                                .build())
                                .build());
        env.execute("rows to oss, disk buffers lost");

        assertThat(DeleteBuffersAfterCheckpoint.deleted).isTrue();
        assertThat(DeleteBuffersAfterCheckpoint.attempts.get())
                .as("the lost buffers failed an attempt")
                .isGreaterThan(1);
        assertEveryRowOnce("disk/part-", 20_000);
    }

    /** The row numbers in the committed files under {@code prefix} are 0..n-1, each once. */
    private static void assertEveryRowOnce(String prefix, int n) {
        List<String> rows = new ArrayList<>();
        for (String key : server.keys("bkt")) {
            if (key.startsWith(prefix)) {
                for (String line :
                        new String(server.objectBytes("bkt", key), StandardCharsets.UTF_8)
                                .split("\n")) {
                    if (!line.isEmpty()) {
                        rows.add(line.split("-")[1]);
                    }
                }
            }
        }
        assertThat(rows).hasSize(n);
        assertThat(rows.stream().distinct().count()).isEqualTo(n);
    }

    /** After the first completed checkpoint that saw records, deletes every buffer file once. */
    static final class DeleteBuffersAfterCheckpoint extends RichMapFunction<Long, Long>
            implements CheckpointListener {
        static volatile String buffers;
        static volatile boolean deleted;
        static final AtomicInteger attempts = new AtomicInteger();
        private long seen;
        private volatile boolean checkpointed;

        @Override
        public void open(OpenContext context) {
            attempts.incrementAndGet();
        }

        @Override
        public Long map(Long value) throws Exception {
            if (++seen % 100 == 0) {
                Thread.sleep(5);
            }
            if (checkpointed && !deleted && seen % 1000 == 500) {
                deleted = true;
                try (Stream<Path> files = Files.walk(Path.of(buffers))) {
                    for (Path p :
                            files.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                        Files.deleteIfExists(p);
                    }
                }
            }
            return value;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (seen > 0) {
                checkpointed = true;
            }
        }
    }

    /** Slows the stream so checkpoints complete, then fails once after one that saw records. */
    static final class FailAfterCheckpoint extends RichMapFunction<Long, Long>
            implements CheckpointListener {
        static volatile boolean failed;
        private long seen;
        private volatile boolean checkpointed;

        @Override
        public Long map(Long value) throws Exception {
            if (++seen % 100 == 0) {
                Thread.sleep(5);
            }
            if (checkpointed
                    && !failed
                    && getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
                failed = true;
                throw new RuntimeException("injected failure after a completed checkpoint");
            }
            return value;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (seen > 0) {
                checkpointed = true;
            }
        }
    }
}
