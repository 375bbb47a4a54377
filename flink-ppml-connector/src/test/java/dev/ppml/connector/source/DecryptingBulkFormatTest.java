package dev.ppml.connector.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ppml.connector.format.PpmlFiles;
import dev.ppml.connector.format.PpmlFormatException;
import dev.ppml.connector.format.RecordDecoders;
import dev.ppml.connector.format.StreamingParameters;
import dev.ppml.connector.keys.MasterKey;
import dev.ppml.keys.testing.LocalKeys;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecryptingBulkFormatTest {

    private static final int ROWS = 2_000;

    @TempDir Path dir;
    private MasterKey key;
    private Path file;

    @BeforeEach
    void setUp() throws Exception {
        key = MasterKey.of(LocalKeys.create(dir, "master"));
        file = dir.resolve("data.ppml");
        try (OutputStream os = Files.newOutputStream(file);
                OutputStream out =
                        PpmlFiles.encrypt(
                                os, key, StreamingParameters.AES256_GCM_HKDF_4KB, "lines")) {
            for (int i = 0; i < ROWS; i++) {
                out.write(
                        ("row-" + i + ",some padding to fill segments\n")
                                .getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void readsAllRecordsInBatchesWithPositions() throws Exception {
        List<String> rows = new ArrayList<>();
        long lastSkip = readAll(format(true).createReader(new Configuration(), split(null)), rows);
        assertThat(rows).hasSize(ROWS).startsWith("row-0", "row-1").endsWith("row-1999");
        assertThat(lastSkip).isEqualTo(ROWS);
    }

    @Test
    void restoreSkipsTheRecordsAlreadyEmitted() throws Exception {
        List<String> rows = new ArrayList<>();
        readAll(
                format(true)
                        .restoreReader(
                                new Configuration(),
                                split(
                                        new CheckpointedPosition(
                                                CheckpointedPosition.NO_OFFSET, 1500))),
                rows);
        assertThat(rows).hasSize(500).startsWith("row-1500");
    }

    @Test
    void damageInTheLastSegmentFailsBeforeAnyRecordWhenVerifying() throws Exception {
        damageLastSegment();
        assertThatThrownBy(() -> format(true).createReader(new Configuration(), split(null)))
                .isInstanceOf(PpmlFormatException.class)
                .hasMessageContaining("data.ppml");
    }

    @Test
    void withoutVerificationLeadingSegmentsAreReadBeforeTheFailure() throws Exception {
        // The documented trade-off of verifyBeforeRead(false), shown deterministically.
        damageLastSegment();
        BulkFormat.Reader<String> reader =
                format(false).createReader(new Configuration(), split(null));
        BulkFormat.RecordIterator<String> first = reader.readBatch();
        assertThat(first).isNotNull();
        assertThat(first.next().getRecord()).startsWith("row-0,");
        assertThatThrownBy(() -> readAll(reader, new ArrayList<>()))
                .isInstanceOf(PpmlFormatException.class)
                .hasMessageContaining("data.ppml");
    }

    private void damageLastSegment() throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 30] ^= 0x40;
        Files.write(file, bytes);
    }

    private DecryptingBulkFormat<String> format(boolean verify) {
        return new DecryptingBulkFormat<>(
                key, RecordDecoders.lines(new SimpleStringSchema()), verify);
    }

    private FileSourceSplit split(CheckpointedPosition position) throws Exception {
        return new FileSourceSplit(
                "0",
                new org.apache.flink.core.fs.Path(file.toUri()),
                0,
                Files.size(file),
                0,
                Files.size(file),
                new String[0],
                position);
    }

    private static long readAll(BulkFormat.Reader<String> reader, List<String> rows)
            throws Exception {
        long lastSkip = -1;
        BulkFormat.RecordIterator<String> batch;
        while ((batch = reader.readBatch()) != null) {
            RecordAndPosition<String> r;
            while ((r = batch.next()) != null) {
                rows.add(r.getRecord().split(",")[0]);
                lastSkip = r.getRecordSkipCount();
            }
            batch.releaseBatch();
        }
        reader.close();
        return lastSkip;
    }
}
