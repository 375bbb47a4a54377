package dev.ppml.connector.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.ppml.connector.format.RecordDecoders;
import dev.ppml.connector.format.RecordEncoders;
import dev.ppml.connector.format.StreamingParameters;
import dev.ppml.connector.keys.MasterKey;
import dev.ppml.connector.sink.EncryptingBulkWriterFactory;
import dev.ppml.keys.testing.LocalKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One encrypted file read in many splits by four parallel readers on a MiniCluster: every record
 * exactly once, also across a failure and restore from a checkpoint taken mid-split; damage fails
 * the job naming the file.
 */
class SplitReadITCase {
    private static final int RECORDS = 20_000;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(2)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    static final AtomicInteger PROCESSED = new AtomicInteger();
    static final AtomicBoolean CHECKPOINTED = new AtomicBoolean();
    static final AtomicBoolean FAILED = new AtomicBoolean();

    @TempDir Path dir;
    private String keyUri;
    private Path file;

    @BeforeEach
    void writeFile() throws Exception {
        PROCESSED.set(0);
        CHECKPOINTED.set(false);
        FAILED.set(false);
        keyUri = LocalKeys.create(dir, "master");
        file = Files.createDirectories(dir.resolve("in")).resolve("people.ppml");
        EncryptingBulkWriterFactory<String> factory =
                new EncryptingBulkWriterFactory<>(
                        MasterKey.of(keyUri),
                        StreamingParameters.AES256_GCM_HKDF_4KB,
                        RecordEncoders.lines(new SimpleStringSchema(), "id,note", "csv"));
        try (FSDataOutputStream out =
                FileSystem.getLocalFileSystem()
                        .create(
                                new org.apache.flink.core.fs.Path(file.toUri()),
                                FileSystem.WriteMode.NO_OVERWRITE)) {
            BulkWriter<String> writer = factory.create(out);
            for (int i = 0; i < RECORDS; i++) {
                String note = i % 7 == 0 ? "\"a note\nover two lines, quoted\"" : "plain-" + i;
                writer.addElement(i + "," + note);
            }
            writer.finish();
        }
        assertThat(Files.size(file)).isGreaterThan(300_000);
    }

    @Test
    void fourReadersReadEveryRecordOnceAcrossAFailureAndRestore() throws Exception {
        Path out = dir.resolve("out");
        StreamExecutionEnvironment env = environment(true);
        env.enableCheckpointing(100);
        env.fromSource(source(), WatermarkStrategy.noWatermarks(), "encrypted")
                .map(new FailOnceAfterCheckpoint())
                .sinkTo(
                        FileSink.forRowFormat(
                                        new org.apache.flink.core.fs.Path(out.toUri()),
                                        new SimpleStringEncoder<String>())
                                .withOutputFileConfig(
                                        OutputFileConfig.builder().withPartSuffix(".txt").build())
                                .build());
        env.execute("split read with a failure");

        assertThat(FAILED).isTrue();
        List<Integer> ids;
        try (Stream<Path> files = Files.walk(out)) {
            ids =
                    files.filter(p -> p.getFileName().toString().endsWith(".txt"))
                            .filter(p -> !p.getFileName().toString().startsWith("."))
                            .flatMap(SplitReadITCase::lines)
                            .map(Integer::valueOf)
                            .sorted()
                            .collect(Collectors.toList());
        }
        assertThat(ids)
                .containsExactlyElementsOf(
                        IntStream.range(0, RECORDS).boxed().collect(Collectors.toList()));
    }

    @Test
    void aDamagedSegmentFailsTheJobNamingTheFile() throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(file, bytes);
        StreamExecutionEnvironment env = environment(false);
        env.fromSource(source(), WatermarkStrategy.noWatermarks(), "encrypted")
                .sinkTo(new DiscardingSink<>());

        Throwable failure = catchThrowable(() -> env.execute("damaged"));

        assertThat(ExceptionUtils.stringifyException(failure))
                .contains("authentication of file")
                .contains("people.ppml")
                .contains("segment");
    }

    private org.apache.flink.connector.file.src.FileSource<String> source() {
        return EncryptedFileSource.forRecordFormat(
                        RecordDecoders.csvRecords(new SimpleStringSchema(), 1),
                        new org.apache.flink.core.fs.Path(file.getParent().toUri()))
                .withKeyUri(keyUri)
                .splitSize(MemorySize.parse("20kb"))
                .build();
    }

    private static StreamExecutionEnvironment environment(boolean restart) {
        Configuration conf = new Configuration();
        if (restart) {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
            conf.set(
                    RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
                    Duration.ofMillis(100));
        } else {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setRuntimeMode(restart ? RuntimeExecutionMode.STREAMING : RuntimeExecutionMode.BATCH);
        env.setParallelism(4);
        return env;
    }

    private static Stream<String> lines(Path p) {
        try {
            return new ArrayList<>(Files.readAllLines(p)).stream();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The record's id; slows down so checkpoints complete mid-read, then fails once. */
    static final class FailOnceAfterCheckpoint extends RichMapFunction<String, String>
            implements CheckpointListener {
        @Override
        public String map(String record) throws Exception {
            int n = PROCESSED.incrementAndGet();
            if (n % 50 == 0) {
                Thread.sleep(1);
            }
            if (CHECKPOINTED.get() && n > RECORDS / 3 && FAILED.compareAndSet(false, true)) {
                throw new RuntimeException("injected failure after a completed checkpoint");
            }
            return record.substring(0, record.indexOf(','));
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (PROCESSED.get() > 0) {
                CHECKPOINTED.set(true);
            }
        }
    }
}
