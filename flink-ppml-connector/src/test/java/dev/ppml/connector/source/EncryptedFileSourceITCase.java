package dev.ppml.connector.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.ppml.connector.format.PpmlFiles;
import dev.ppml.connector.format.StreamingParameters;
import dev.ppml.connector.keys.MasterKey;
import dev.ppml.keys.testing.LocalKeys;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Integrity on read: a damaged file fails the job with an error naming it, and — with whole-file
 * verification, the default — no record of it reaches the operator after the source.
 */
class EncryptedFileSourceITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    /** What the operator after the source saw. */
    static final List<String> SEEN = new CopyOnWriteArrayList<>();

    @TempDir Path dir;
    private boolean rejectCopies = true;
    private String keyUri;
    private Path input;

    @BeforeEach
    void writeFiles() throws Exception {
        keyUri = LocalKeys.create(dir, "master");
        input = Files.createDirectories(dir.resolve("in"));
        SEEN.clear();
        write("good-a.ppml", "a", 100);
        write("good-b.ppml", "b", 100);
        // ~40 KB of plaintext in 4 KiB segments: the damage is in the last segment
        write("damaged.ppml", "damaged", 2_000);
        Path damaged = input.resolve("damaged.ppml");
        byte[] bytes = Files.readAllBytes(damaged);
        bytes[bytes.length - 30] ^= 0x40;
        Files.write(damaged, bytes);
    }

    @Test
    void damagedFileFailsTheJobAndNoneOfItsRecordsAreEmitted() {
        Throwable failure = catchThrowable(() -> run(true));

        assertThat(failure).isNotNull();
        assertThat(ExceptionUtils.stringifyException(failure))
                .contains("authentication of file")
                .contains("damaged.ppml");
        assertThat(SEEN).noneMatch(line -> line.startsWith("damaged,"));
    }

    @Test
    void intactFilesAreReadCompletely() throws Exception {
        Files.delete(input.resolve("damaged.ppml"));
        run(true);
        assertThat(SEEN).hasSize(200);
        assertThat(SEEN).filteredOn(l -> l.startsWith("a,")).hasSize(100);
    }

    @Test
    void aCopiedFileFailsTheReadBeforeAnyRecordNamingBothFiles() throws Exception {
        Files.delete(input.resolve("damaged.ppml"));
        Path sub = Files.createDirectories(input.resolve("2026-12-03--10"));
        Files.copy(input.resolve("good-a.ppml"), sub.resolve("part-copy.ppml"));

        Throwable failure = catchThrowable(() -> run(true));

        assertThat(ExceptionUtils.stringifyException(failure))
                .contains("good-a.ppml")
                .contains("part-copy.ppml")
                .contains("same file id");
        assertThat(SEEN).isEmpty();
    }

    @Test
    void withoutTheJobManagerCheckTheReaderStillRefusesACopyItReads() throws Exception {
        Files.delete(input.resolve("damaged.ppml"));
        Files.copy(input.resolve("good-a.ppml"), input.resolve("good-a-copy.ppml"));
        rejectCopies = false;

        Throwable failure = catchThrowable(() -> run(true));

        assertThat(ExceptionUtils.stringifyException(failure))
                .contains("good-a.ppml")
                .contains("good-a-copy.ppml")
                .contains("same file id");
        // the first of the two was read whole; nothing of the copy
        assertThat(SEEN.stream().filter(l -> l.startsWith("a,")).count()).isEqualTo(100);
    }

    @Test
    void aReadOfOneTableRefusesAFileOfAnotherBeforeAnyRecord() throws Exception {
        Files.delete(input.resolve("damaged.ppml"));
        Files.delete(input.resolve("good-a.ppml"));
        Files.delete(input.resolve("good-b.ppml"));
        write("people-1.ppml", "p", 100, "people");
        write("people-2.ppml", "p", 100, "people");
        run(true, "people");
        assertThat(SEEN).hasSize(200);

        SEEN.clear();
        write("payroll-1.ppml", "s", 100, "payroll");
        Throwable failure = catchThrowable(() -> run(true, "people"));

        assertThat(ExceptionUtils.stringifyException(failure))
                .contains("payroll-1.ppml")
                .contains("belongs to table 'payroll'")
                .contains("expects files of table 'people'");
        assertThat(SEEN).isEmpty();
    }

    private void run(boolean verifyBeforeRead) throws Exception {
        run(verifyBeforeRead, null);
    }

    private void run(boolean verifyBeforeRead, String tableId) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.setParallelism(1);
        EncryptedFileSource.Builder<String> source =
                EncryptedFileSource.forRowFormat(
                                new SimpleStringSchema(),
                                new org.apache.flink.core.fs.Path(input.toUri()))
                        .withKeyUri(keyUri)
                        .verifyBeforeRead(verifyBeforeRead)
                        .rejectCopies(rejectCopies);
        if (tableId != null) {
            source.withTableId(tableId);
        }
        env.fromSource(source.build(), WatermarkStrategy.noWatermarks(), "encrypted")
                .map(
                        line -> {
                            SEEN.add(line);
                            return line;
                        })
                .sinkTo(new DiscardingSink<>());
        env.execute("read");
    }

    private void write(String name, String tag, int rows) throws Exception {
        write(name, tag, rows, null);
    }

    private void write(String name, String tag, int rows, String tableId) throws Exception {
        try (OutputStream file = Files.newOutputStream(input.resolve(name));
                OutputStream out =
                        PpmlFiles.encrypt(
                                file,
                                MasterKey.of(keyUri),
                                StreamingParameters.AES256_GCM_HKDF_4KB,
                                "lines",
                                tableId)) {
            for (int i = 0; i < rows; i++) {
                out.write((tag + "," + i + ",padding-padding\n").getBytes(StandardCharsets.UTF_8));
            }
        }
    }
}
