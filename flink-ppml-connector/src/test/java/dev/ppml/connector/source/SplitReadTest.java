package dev.ppml.connector.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ppml.connector.format.PpmlFiles;
import dev.ppml.connector.format.PpmlFilesTestAccess;
import dev.ppml.connector.format.PpmlFormatException;
import dev.ppml.connector.format.RecordDecoder;
import dev.ppml.connector.format.RecordDecoders;
import dev.ppml.connector.format.RecordEncoder;
import dev.ppml.connector.format.RecordEncoders;
import dev.ppml.connector.format.SegmentLayout;
import dev.ppml.connector.format.StreamingParameters;
import dev.ppml.connector.keys.MasterKey;
import dev.ppml.connector.sink.EncryptingBulkWriterFactory;
import dev.ppml.keys.testing.LocalKeys;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Splits of a ppml file, planned by {@link PpmlFileEnumerator} and read by {@link
 * DecryptingBulkFormat} as Flink's source reader would: every record exactly once, whatever the
 * split size and however records straddle segments.
 */
class SplitReadTest {
    private static final String HEADER = "id,text,pad";

    @TempDir Path dir;
    private MasterKey key;

    @BeforeEach
    void setUp() throws Exception {
        key = MasterKey.of(LocalKeys.create(dir, "master"));
    }

    @ParameterizedTest
    @EnumSource(
            value = StreamingParameters.class,
            names = {"AES256_GCM_HKDF_4KB", "AES128_GCM_HKDF_4KB"})
    void everyRecordExactlyOnceAcrossSplitSizes(StreamingParameters streaming) throws Exception {
        List<String> records = csvRecords(new Random(7), 800);
        Path file = write(records, streaming, "data.ppml", new ChunkingEncoder(777));
        long length = Files.size(file);
        int segmentSize = 4096;
        long[] sizes = {
            1_001,
            segmentSize - 1,
            segmentSize,
            segmentSize + 1,
            3 * segmentSize + 17,
            40_000,
            length / 3,
            length - 1,
            length,
            length + 1
        };
        for (long splitSize : sizes) {
            for (boolean verify : new boolean[] {true, false}) {
                List<FileSourceSplit> splits = plan(file, splitSize);
                if (splitSize < length) {
                    assertThat(splits).hasSizeGreaterThan(1);
                }
                List<String> read = new ArrayList<>();
                for (FileSourceSplit split : splits) {
                    read.addAll(readSplit(format(verify), split));
                }
                assertThat(read)
                        .as("split size %d, verify %s, %d splits", splitSize, verify, splits.size())
                        .containsExactlyElementsOf(records);
            }
        }
    }

    @Test
    void recordsLargerThanASegmentAndTinyOnes() throws Exception {
        Random random = new Random(11);
        List<String> records = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int len = i % 10 == 0 ? 9_000 + random.nextInt(9_000) : 1 + random.nextInt(30);
            records.add(i + "," + quoted(text(random, len)) + ",x");
        }
        Path file = write(records, StreamingParameters.AES256_GCM_HKDF_4KB, "big.ppml");
        for (long splitSize : new long[] {500, 4096, 10_000, 33_333}) {
            List<String> read = new ArrayList<>();
            for (FileSourceSplit split : plan(file, splitSize)) {
                read.addAll(readSplit(format(true), split));
            }
            assertThat(read).as("split size %d", splitSize).containsExactlyElementsOf(records);
        }
    }

    @Test
    void restoredSplitSkipsExactlyWhatWasEmitted() throws Exception {
        List<String> records = csvRecords(new Random(3), 2_000);
        Path file = write(records, StreamingParameters.AES256_GCM_HKDF_4KB, "data.ppml");
        List<String> read = new ArrayList<>();
        for (FileSourceSplit split : plan(file, 20_000)) {
            List<String> all = readSplit(format(true), split);
            int emitted = all.size() / 2;
            List<String> rest =
                    readAll(
                            format(true)
                                    .restoreReader(
                                            new Configuration(),
                                            split.updateWithCheckpointedPosition(
                                                    new CheckpointedPosition(
                                                            CheckpointedPosition.NO_OFFSET,
                                                            emitted))));
            assertThat(rest).containsExactlyElementsOf(all.subList(emitted, all.size()));
            read.addAll(all.subList(0, emitted));
            read.addAll(rest);
        }
        assertThat(read).containsExactlyElementsOf(records);
    }

    @Test
    void aFlippedByteInAnySegmentFailsTheReadNamingTheFile() throws Exception {
        List<String> records = csvRecords(new Random(5), 400);
        Path file = write(records, StreamingParameters.AES256_GCM_HKDF_4KB, "data.ppml");
        byte[] intact = Files.readAllBytes(file);
        int headerLength = headerLength(intact);
        int segments = segments(intact);
        assertThat(segments).isGreaterThan(10);
        for (int segment = 0; segment < segments; segment++) {
            byte[] damaged = intact.clone();
            int at = Math.min(damaged.length - 1, headerLength + segment * 4096 + 100);
            damaged[at] ^= 0x10;
            Path target = dir.resolve("damaged-" + segment + ".ppml");
            Files.write(target, damaged);
            List<String> emitted = new ArrayList<>();
            int segmentNr = segment;
            assertThatThrownBy(() -> readAllSplits(target, emitted))
                    .as("damage in segment %d", segmentNr)
                    .isInstanceOf(PpmlFormatException.class)
                    .hasMessageContaining(target.toString());
            assertThat(records).containsAll(emitted);
        }
    }

    @Test
    void aFileTruncatedAtASegmentBoundaryFailsInItsLastSplit() throws Exception {
        List<String> records = csvRecords(new Random(9), 400);
        Path file = write(records, StreamingParameters.AES256_GCM_HKDF_4KB, "data.ppml");
        byte[] bytes = Files.readAllBytes(file);
        int headerLength = headerLength(bytes);
        int segments = segments(bytes);
        Path cut = dir.resolve("cut.ppml");
        Files.write(cut, java.util.Arrays.copyOf(bytes, headerLength + (segments - 2) * 4096));
        assertThatThrownBy(() -> readAllSplits(cut, new ArrayList<>()))
                .isInstanceOf(PpmlFormatException.class)
                .hasMessageContaining(cut.toString());
    }

    @Test
    void aSplitPlannedForAnotherFileIsRefused() throws Exception {
        List<String> records = csvRecords(new Random(1), 600);
        Path file = write(records, StreamingParameters.AES256_GCM_HKDF_4KB, "data.ppml");
        List<FileSourceSplit> splits = plan(file, 10_000);
        // The path is overwritten with another file of the same records after planning.
        write(records, StreamingParameters.AES256_GCM_HKDF_4KB, "data.ppml");
        assertThatThrownBy(() -> readSplit(format(true), splits.get(1)))
                .isInstanceOf(PpmlFormatException.class)
                .hasMessageContaining("is not the file that was listed");
    }

    @Test
    void versionOneFilesAreReadWholeByTheirFirstSplit() throws Exception {
        Path file = dir.resolve("v1.ppml");
        List<String> records = csvRecords(new Random(2), 500);
        try (var out = Files.newOutputStream(file);
                var plaintext =
                        PpmlFilesTestAccess.encryptVersion1(
                                out, key, StreamingParameters.AES256_GCM_HKDF_4KB)) {
            plaintext.write((HEADER + "\n").getBytes(StandardCharsets.UTF_8));
            for (String r : records) {
                plaintext.write((r + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        // Planned without headers, as with rejectCopies(false): byte ranges regardless of version.
        Collection<FileSourceSplit> splits =
                new PpmlFileEnumerator(null, false, 10_000)
                        .enumerateSplits(new org.apache.flink.core.fs.Path[] {path(file)}, 1);
        assertThat(splits).hasSizeGreaterThan(3);
        List<String> read = new ArrayList<>();
        List<Integer> perSplit = new ArrayList<>();
        for (FileSourceSplit split : splits) {
            List<String> part = readSplit(format(true), split);
            perSplit.add(part.size());
            read.addAll(part);
        }
        assertThat(read).containsExactlyElementsOf(records);
        assertThat(perSplit.subList(1, perSplit.size())).containsOnly(0);
        // With headers read, the JobManager does not split it at all.
        assertThat(plan(file, 10_000)).hasSize(1);
    }

    @Test
    void aFileWrittenWithoutRecordMarksIsReadWholeByItsFirstSplit() throws Exception {
        Path file = dir.resolve("unmarked.ppml");
        List<String> records = csvRecords(new Random(4), 500);
        try (var out = Files.newOutputStream(file);
                var plaintext =
                        PpmlFiles.encrypt(
                                out, key, StreamingParameters.AES256_GCM_HKDF_4KB, "csv")) {
            plaintext.write((HEADER + "\n").getBytes(StandardCharsets.UTF_8));
            for (String r : records) {
                plaintext.write((r + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        List<FileSourceSplit> splits = plan(file, 10_000);
        assertThat(splits).hasSizeGreaterThan(3);
        List<String> read = new ArrayList<>();
        for (FileSourceSplit split : splits) {
            read.addAll(readSplit(format(true), split));
        }
        assertThat(read).containsExactlyElementsOf(records);
    }

    @Test
    void theFormatIsSplittableOnlyWhenItsDecoderIs() {
        assertThat(format(true).isSplittable()).isTrue();
        RecordDecoder<String> notSplittable =
                RecordDecoders.fromStreamFormat(
                        new org.apache.flink.connector.file.src.reader.TextLineInputFormat());
        assertThat(new DecryptingBulkFormat<>(key, notSplittable, true).isSplittable()).isFalse();
    }

    @Test
    void layoutOwnershipCoversEverySegmentOnce() {
        SegmentLayout layout = layoutOf4k();
        long bodyStart = 321;
        long fileLength = bodyStart + 50 * 4096L + 77;
        for (long splitSize : new long[] {1, 100, 4095, 4096, 4097, 9_999, fileLength}) {
            long expectedNext = 0;
            for (long start = 0; start < fileLength; start += splitSize) {
                long first = layout.firstSegmentOwned(start, bodyStart);
                assertThat(first).as("split at %d", start).isEqualTo(expectedNext);
                long end = start + splitSize;
                expectedNext =
                        end >= fileLength
                                ? Long.MAX_VALUE
                                : layout.firstSegmentOwned(end, bodyStart);
                assertThat(expectedNext).isGreaterThanOrEqualTo(first);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------

    private static SegmentLayout layoutOf4k() {
        return PpmlFilesTestAccess.layout(StreamingParameters.AES256_GCM_HKDF_4KB);
    }

    /** Reads every split of {@code file} (10,000-byte splits) into {@code sink}, in order. */
    private void readAllSplits(Path file, List<String> sink) throws IOException {
        for (FileSourceSplit split : plan(file, 10_000)) {
            sink.addAll(readSplit(format(true), split));
        }
    }

    /** The number of 4 KiB ciphertext segments of a file. */
    private static int segments(byte[] file) {
        return (file.length - headerLength(file) + 4095) / 4096;
    }

    private static int headerLength(byte[] file) {
        return 9 + java.nio.ByteBuffer.wrap(file, 5, 4).getInt();
    }

    private Path write(List<String> records, StreamingParameters streaming, String name)
            throws IOException {
        return write(
                records,
                streaming,
                name,
                RecordEncoders.lines(new SimpleStringSchema(), HEADER, "csv"));
    }

    private Path write(
            List<String> records,
            StreamingParameters streaming,
            String name,
            RecordEncoder<String> encoder)
            throws IOException {
        Path file = dir.resolve(name);
        FileSystem fs = FileSystem.getLocalFileSystem();
        EncryptingBulkWriterFactory<String> factory =
                new EncryptingBulkWriterFactory<>(key, streaming, encoder);
        try (FSDataOutputStream out = fs.create(path(file), FileSystem.WriteMode.OVERWRITE)) {
            BulkWriter<String> writer = factory.create(out);
            for (String record : records) {
                writer.addElement(record);
            }
            writer.finish();
        }
        return file;
    }

    private List<FileSourceSplit> plan(Path file, long splitSize) throws IOException {
        return new ArrayList<>(
                new PpmlFileEnumerator(null, true, splitSize)
                        .enumerateSplits(new org.apache.flink.core.fs.Path[] {path(file)}, 1));
    }

    private static org.apache.flink.core.fs.Path path(Path file) {
        return new org.apache.flink.core.fs.Path(file.toUri());
    }

    private DecryptingBulkFormat<String> format(boolean verify) {
        return new DecryptingBulkFormat<>(
                key, RecordDecoders.csvRecords(new SimpleStringSchema(), 1), verify);
    }

    private static List<String> readSplit(
            DecryptingBulkFormat<String> format, FileSourceSplit split) throws IOException {
        return readAll(format.createReader(new Configuration(), split));
    }

    private static List<String> readAll(BulkFormat.Reader<String> reader) throws IOException {
        return BulkReads.readAll(reader);
    }

    /**
     * Writes the header and {@code \n}-terminated records through a buffer of {@code chunk} bytes
     * that it pushes whenever it is full, mid-record, as Jackson's or Flink's writers do; only
     * {@code flush()} leaves the stream at a record boundary.
     */
    private static final class ChunkingEncoder implements RecordEncoder<String> {
        private static final long serialVersionUID = 1L;
        private final int chunk;

        ChunkingEncoder(int chunk) {
            this.chunk = chunk;
        }

        @Override
        public RecordWriter<String> open(OutputStream plaintext) throws IOException {
            byte[] buffer = new byte[chunk];
            int[] used = {0};
            RecordWriter<String> writer =
                    new RecordWriter<>() {
                        @Override
                        public void write(String record) throws IOException {
                            for (byte b : (record + "\n").getBytes(StandardCharsets.UTF_8)) {
                                buffer[used[0]++] = b;
                                if (used[0] == chunk) {
                                    flush();
                                }
                            }
                        }

                        @Override
                        public void flush() throws IOException {
                            plaintext.write(buffer, 0, used[0]);
                            used[0] = 0;
                        }
                    };
            for (byte b : (HEADER + "\n").getBytes(StandardCharsets.UTF_8)) {
                buffer[used[0]++] = b;
            }
            return writer;
        }

        @Override
        public String formatName() {
            return "csv";
        }
    }

    /** CSV records of varied lengths; some quote line breaks, commas and quotes. */
    private static List<String> csvRecords(Random random, int n) {
        List<String> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int len = random.nextInt(10) == 0 ? 3_000 + random.nextInt(6_000) : random.nextInt(200);
            String text = text(random, len);
            String field =
                    random.nextBoolean()
                            ? quoted(text + "\nline two\r\n\"quoted\", comma")
                            : text.replace(',', ';');
            records.add(i + "," + field + ",pad-" + i);
        }
        return records;
    }

    private static String quoted(String s) {
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    private static String text(Random random, int len) {
        StringBuilder b = new StringBuilder(len);
        for (int i = 0; i < len; i++) {
            b.append((char) ('a' + random.nextInt(26)));
        }
        return b.toString();
    }
}
