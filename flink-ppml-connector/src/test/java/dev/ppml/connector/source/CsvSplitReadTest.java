package dev.ppml.connector.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ppml.connector.format.RecordDecoder;
import dev.ppml.connector.format.RecordEncoders;
import dev.ppml.connector.format.StreamingParameters;
import dev.ppml.connector.keys.MasterKey;
import dev.ppml.connector.sink.EncryptingBulkWriterFactory;
import dev.ppml.connector.table.CsvFileDecoderTest;
import dev.ppml.keys.testing.LocalKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.formats.csv.CsvFileFormatFactory;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ppml format's csv read path ({@code CsvFileDecoder}, one streaming parser per split) on files
 * written as the format writes them (Flink's csv file writer after a header line): every row
 * exactly once across split sizes, rows with quoted line breaks longer than a segment, and exact
 * restore positions.
 */
class CsvSplitReadTest {
    private static final int SEGMENT = 4096;

    @TempDir Path dir;
    private MasterKey key;

    @BeforeEach
    void setUp() throws Exception {
        key = MasterKey.of(LocalKeys.create(dir, "master"));
    }

    private static List<Map<String, String>> options() {
        return List.of(
                Map.of(),
                Map.of("field-delimiter", "|", "null-literal", ""),
                Map.of("quote-character", "'", "allow-comments", "true"));
    }

    @Test
    void everyRowExactlyOnceAcrossSplitSizes() throws Exception {
        for (Map<String, String> options : options()) {
            List<RowData> rows = rowsStraddlingSegments(new Random(options.size()), options);
            byte[] plaintext = plaintext(rows, options);
            List<RowData> whole = CsvFileDecoderTest.readWithDecoder(plaintext, options, true);
            assertThat(whole).hasSize(rows.size());
            Path file = writePpml(rows, options);
            long length = Files.size(file);
            long[] sizes = {
                1_001,
                SEGMENT - 1,
                SEGMENT,
                SEGMENT + 1,
                3 * SEGMENT + 17,
                40_000,
                length / 3,
                length - 1,
                length
            };
            for (long splitSize : sizes) {
                for (boolean verify : new boolean[] {true, false}) {
                    List<FileSourceSplit> splits = plan(file, splitSize);
                    if (splitSize < length) {
                        assertThat(splits).hasSizeGreaterThan(1);
                    }
                    List<RowData> read = new ArrayList<>();
                    for (FileSourceSplit split : splits) {
                        read.addAll(readAll(format(options, verify), split, 0));
                    }
                    assertThat(read)
                            .as(
                                    "options %s, split size %d, verify %s, %d splits",
                                    options, splitSize, verify, splits.size())
                            .containsExactlyElementsOf(whole);
                }
            }
        }
    }

    @Test
    void restoredSplitSkipsExactlyWhatWasEmitted() throws Exception {
        Map<String, String> options = Map.of();
        List<RowData> rows = rowsStraddlingSegments(new Random(3), options);
        List<RowData> whole =
                CsvFileDecoderTest.readWithDecoder(plaintext(rows, options), options, true);
        Path file = writePpml(rows, options);
        List<RowData> read = new ArrayList<>();
        List<FileSourceSplit> splits = plan(file, 3 * SEGMENT);
        assertThat(splits).hasSizeGreaterThan(5);
        for (FileSourceSplit split : splits) {
            List<RowData> all = readAll(format(options, true), split, 0);
            int emitted = all.size() / 2;
            List<RowData> rest = readAll(format(options, true), split, emitted);
            assertThat(rest).containsExactlyElementsOf(all.subList(emitted, all.size()));
            read.addAll(all.subList(0, emitted));
            read.addAll(rest);
        }
        assertThat(read).containsExactlyElementsOf(whole);
    }

    // ---------------------------------------------------------------------------------------------

    /** Rows of {@link CsvFileDecoderTest#ROW}; every seventh holds a quoted text of 2-9 KiB. */
    private static List<RowData> rowsStraddlingSegments(
            Random random, Map<String, String> options) {
        List<RowData> rows = CsvFileDecoderTest.rows(random, 600, options);
        for (int i = 0; i < rows.size(); i += 7) {
            GenericRowData row = (GenericRowData) rows.get(i);
            StringBuilder text = new StringBuilder();
            int len = 2_000 + random.nextInt(7_000);
            while (text.length() < len) {
                text.append("line ").append(text.length()).append(", \"q\"\r\n");
            }
            row.setField(8, StringData.fromString(text.toString()));
        }
        return rows;
    }

    /** The header line: quoted, with a line break in it, where the quote is the default. */
    private static String header(Map<String, String> options) {
        return options.isEmpty() ? "id,\"the header\nline\",x" : "id|str|x";
    }

    /** The plaintext the ppml format writes: the header line, then Flink's csv writer's rows. */
    private static byte[] plaintext(List<RowData> rows, Map<String, String> options)
            throws IOException {
        return CsvFileDecoderTest.concat(
                (header(options) + "\n").getBytes(StandardCharsets.UTF_8),
                CsvFileDecoderTest.write(rows, options));
    }

    private Path writePpml(List<RowData> rows, Map<String, String> options) throws IOException {
        BulkWriter.Factory<RowData> csv =
                new CsvFileFormatFactory()
                        .createEncodingFormat(null, Configuration.fromMap(options))
                        .createRuntimeEncoder(null, CsvFileDecoderTest.ROW);
        EncryptingBulkWriterFactory<RowData> factory =
                new EncryptingBulkWriterFactory<>(
                        key,
                        StreamingParameters.AES256_GCM_HKDF_4KB,
                        RecordEncoders.fromBulkWriter(csv, header(options), "csv"));
        Path file = dir.resolve("data-" + options.hashCode() + ".ppml");
        try (FSDataOutputStream out =
                FileSystem.getLocalFileSystem()
                        .create(
                                new org.apache.flink.core.fs.Path(file.toUri()),
                                FileSystem.WriteMode.OVERWRITE)) {
            BulkWriter<RowData> writer = factory.create(out);
            for (RowData row : rows) {
                writer.addElement(row);
            }
            writer.finish();
        }
        return file;
    }

    private static List<FileSourceSplit> plan(Path file, long splitSize) throws IOException {
        return new ArrayList<>(
                new PpmlFileEnumerator(null, true, splitSize)
                        .enumerateSplits(
                                new org.apache.flink.core.fs.Path[] {
                                    new org.apache.flink.core.fs.Path(file.toUri())
                                },
                                1));
    }

    private DecryptingBulkFormat<RowData> format(Map<String, String> options, boolean verify) {
        RecordDecoder<RowData> decoder =
                CsvFileDecoderTest.decoder(options, true, CsvFileDecoderTest.ROW);
        return new DecryptingBulkFormat<>(key, decoder, verify);
    }

    /** The rows of {@code split}, restored after {@code emitted} rows when that is not 0. */
    private static List<RowData> readAll(
            DecryptingBulkFormat<RowData> format, FileSourceSplit split, long emitted)
            throws IOException {
        BulkFormat.Reader<RowData> reader =
                emitted == 0
                        ? format.createReader(new Configuration(), split)
                        : format.restoreReader(
                                new Configuration(),
                                split.updateWithCheckpointedPosition(
                                        new CheckpointedPosition(
                                                CheckpointedPosition.NO_OFFSET, emitted)));
        return BulkReads.readAll(reader);
    }
}
