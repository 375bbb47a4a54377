package dev.ppml.connector.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ppml.connector.format.CsvLines;
import dev.ppml.connector.sink.EncryptedFileSink;
import dev.ppml.connector.source.EncryptedFileSource;
import dev.ppml.keys.testing.LocalKeys;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys are unlocked on TaskManager code paths only: every unlock during DataStream and SQL jobs
 * that write and read encrypted files is recorded with its stack, and no stack passes through the
 * JobManager (scheduler, source coordinator, split enumerator), the client's job-graph building or
 * the SQL planner — while each passes through a running task.
 */
class KeyUnlockLocationITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final List<String> JOB_MANAGER_OR_CLIENT =
            List.of(
                    "org.apache.flink.runtime.jobmaster.",
                    "org.apache.flink.runtime.scheduler.",
                    "org.apache.flink.runtime.source.coordinator.",
                    "org.apache.flink.runtime.dispatcher.",
                    "org.apache.flink.connector.file.src.impl.StaticFileSplitEnumerator",
                    "org.apache.flink.connector.file.src.impl.ContinuousFileSplitEnumerator",
                    "org.apache.flink.streaming.api.graph.",
                    "org.apache.flink.table.planner.",
                    "org.apache.flink.client.");

    /** A POJO. */
    public static class Item {
        public long id;

        public Item() {}

        Item(long id) {
            this.id = id;
        }
    }

    @TempDir Path dir;
    private String keyUri;

    @BeforeEach
    void setUp() throws Exception {
        RecordingKeyServiceFactory.reset();
        keyUri = "recording:" + LocalKeys.keystore(LocalKeys.create(dir, "master"));
    }

    @Test
    void dataStreamWriteAndReadUnlockOnlyInTasks() throws Exception {
        CsvLines<Item> csv = CsvLines.forPojo(Item.class, "id");
        org.apache.flink.core.fs.Path out =
                new org.apache.flink.core.fs.Path(dir.resolve("out").toUri());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.setParallelism(2);
        env.fromSequence(1, 1000)
                .map(Item::new)
                .sinkTo(
                        EncryptedFileSink.forRecordFormat(out, csv)
                                .withKeyUri(keyUri)
                                .withBucketAssigner(new BasePathBucketAssigner<>())
                                .build());
        env.execute("write");
        long count;
        try (CloseableIterator<Item> it =
                env.fromSource(
                                EncryptedFileSource.forRecordFormat(csv, out)
                                        .withKeyUri(keyUri)
                                        .build(),
                                WatermarkStrategy.noWatermarks(),
                                "read")
                        .executeAndCollect()) {
            count = 0;
            while (it.hasNext()) {
                it.next();
                count++;
            }
        }
        assertThat(count).isEqualTo(1000);
        assertUnlocksOnlyInTasks();
    }

    @Test
    void sqlWriteAndReadUnlockOnlyInTasks() throws Exception {
        TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        tEnv.executeSql(
                "CREATE TABLE t (id BIGINT) WITH ('connector'='filesystem','path'='"
                        + dir.resolve("sql").toUri()
                        + "','format'='ppml','ppml.format'='csv',"
                        + "'ppml.key-uri'='"
                        + keyUri
                        + "')");
        tEnv.executeSql("INSERT INTO t VALUES (1), (2), (3)").await();
        try (CloseableIterator<Row> it = tEnv.executeSql("SELECT SUM(id) FROM t").collect()) {
            assertThat(((Number) it.next().getField(0)).longValue()).isEqualTo(6);
        }
        assertUnlocksOnlyInTasks();
    }

    private static void assertUnlocksOnlyInTasks() {
        assertThat(RecordingKeyServiceFactory.UNLOCKS).as("keys were unlocked").isNotEmpty();
        for (StackTraceElement[] stack : RecordingKeyServiceFactory.UNLOCKS) {
            List<String> classes =
                    Arrays.stream(stack)
                            .map(StackTraceElement::getClassName)
                            .collect(Collectors.toList());
            String trace = String.join("\n  ", classes);
            assertThat(classes)
                    .as("unlock stack:\n  %s", trace)
                    .noneMatch(c -> JOB_MANAGER_OR_CLIENT.stream().anyMatch(c::startsWith));
            assertThat(classes)
                    .as("unlock stack passes through a task:\n  %s", trace)
                    .anyMatch(
                            c ->
                                    c.startsWith("org.apache.flink.runtime.taskmanager.Task")
                                            || c.startsWith(
                                                    "org.apache.flink.connector.base.source.reader.fetcher.")
                                            || c.startsWith(
                                                    "org.apache.flink.streaming.runtime.tasks."));
        }
    }
}
