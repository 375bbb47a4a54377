package dev.ppml.connector.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ppml.connector.format.PpmlFiles;
import dev.ppml.connector.format.PpmlFormatException;
import dev.ppml.connector.format.RecordDecoders;
import dev.ppml.connector.format.StreamingParameters;
import dev.ppml.connector.keys.MasterKey;
import dev.ppml.keys.testing.LocalKeys;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemFactory;
import org.apache.flink.core.fs.local.LocalFileSystem;
import org.apache.flink.core.plugin.PluginManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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

    // --- the bytes decoded are the bytes authenticated, whatever storage serves later ---

    @Test
    void aDamagedFileServedToASecondOpenCannotReachTheRecords() throws Exception {
        // Storage serves the intact file first and a damaged one to every later open. A reader
        // that opens twice (verify, then decode) emitted thousands of records of the damaged file.
        Path damaged = dir.resolve("damaged.ppml");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(damaged, bytes);
        SwappingFileSystem.serveLater(file, damaged);

        List<String> rows = new ArrayList<>();
        readAll(format(true).createReader(new Configuration(), swappingSplit()), rows);

        assertThat(rows).hasSize(ROWS).startsWith("row-0").endsWith("row-1999");
        assertThat(SwappingFileSystem.opens(file)).isEqualTo(1);
    }

    @Test
    void aDifferentValidFileServedToASecondOpenCannotReplaceTheRecords() throws Exception {
        Path other = dir.resolve("other.ppml");
        writeFile(other, "other-", ROWS / 2, StreamingParameters.AES256_GCM_HKDF_4KB);
        SwappingFileSystem.serveLater(file, other);

        List<String> rows = new ArrayList<>();
        readAll(format(true).createReader(new Configuration(), swappingSplit()), rows);

        assertThat(rows).hasSize(ROWS).allMatch(r -> r.startsWith("row-"));
    }

    @Test
    void aLargeFileIsSpooledSealedAndTheSpoolIsDeletedOnClose() throws Exception {
        Path big = dir.resolve("big.ppml");
        int rows = 120_000; // ~6 MiB of plaintext: more than the spool keeps in memory
        writeFile(big, "MARKER-", rows, StreamingParameters.AES256_GCM_HKDF_1MB);
        Path tmp = Files.createDirectories(dir.resolve("tmp"));

        BulkFormat.Reader<String> reader =
                format(true).createReader(tmpDirs(tmp), split(big, null));
        List<Path> spools = list(tmp);
        assertThat(spools).hasSize(1);
        byte[] spooled = Files.readAllBytes(spools.get(0));
        assertThat(spooled.length).isGreaterThan(AuthenticatedSpool.MEMORY_LIMIT);
        assertThat(new String(spooled, StandardCharsets.ISO_8859_1)).doesNotContain("MARKER");

        List<String> read = new ArrayList<>();
        readAll(reader, read);
        assertThat(read).hasSize(rows).startsWith("MARKER-0").endsWith("MARKER-" + (rows - 1));
        assertThat(list(tmp)).isEmpty();
    }

    @Test
    void aSpoolChangedOnLocalDiskFailsTheRead() throws Exception {
        Path big = dir.resolve("big.ppml");
        writeFile(big, "MARKER-", 120_000, StreamingParameters.AES256_GCM_HKDF_1MB);
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        BulkFormat.Reader<String> reader =
                format(true).createReader(tmpDirs(tmp), split(big, null));
        Path spool = list(tmp).get(0);
        byte[] bytes = Files.readAllBytes(spool);
        bytes[bytes.length - 100] ^= 0x01;
        Files.write(spool, bytes);

        assertThatThrownBy(() -> readAll(reader, new ArrayList<>()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("local read spool")
                .hasMessageContaining("big.ppml");
        reader.close();
        assertThat(list(tmp)).isEmpty();
    }

    @Test
    void aFileFailingAuthenticationLeavesNoSpool() throws Exception {
        Path big = dir.resolve("big.ppml");
        writeFile(big, "MARKER-", 120_000, StreamingParameters.AES256_GCM_HKDF_1MB);
        byte[] bytes = Files.readAllBytes(big);
        bytes[bytes.length - 30] ^= 0x01;
        Files.write(big, bytes);
        Path tmp = Files.createDirectories(dir.resolve("tmp"));

        assertThatThrownBy(() -> format(true).createReader(tmpDirs(tmp), split(big, null)))
                .isInstanceOf(PpmlFormatException.class)
                .hasMessageContaining("big.ppml");
        assertThat(list(tmp)).isEmpty();
    }

    // --- files bound to their table ---

    @Test
    void aReaderOfOneTableRefusesAFileOfAnotherOrOfNone() throws Exception {
        Path people = dir.resolve("people.ppml");
        writeFile(people, "row-", 10, StreamingParameters.AES256_GCM_HKDF_4KB, "people");

        List<String> rows = new ArrayList<>();
        readAll(tableFormat("people").createReader(new Configuration(), split(people, null)), rows);
        assertThat(rows).hasSize(10);

        assertThatThrownBy(
                        () ->
                                tableFormat("payroll")
                                        .createReader(new Configuration(), split(people, null)))
                .isInstanceOf(PpmlFormatException.class)
                .hasMessageContaining("people.ppml")
                .hasMessageContaining("table 'people'")
                .hasMessageContaining("table 'payroll'");
        assertThatThrownBy(
                        () -> tableFormat("payroll").createReader(new Configuration(), split(null)))
                .isInstanceOf(PpmlFormatException.class)
                .hasMessageContaining("data.ppml")
                .hasMessageContaining("written without a table id");
    }

    @Test
    void aTableIdEditedInTheHeaderFailsAuthentication() throws Exception {
        Path people = dir.resolve("people.ppml");
        writeFile(people, "row-", 10, StreamingParameters.AES256_GCM_HKDF_4KB, "people");
        byte[] bytes = Files.readAllBytes(people);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("\"tableId\":\"people\"");
        assertThat(at).isPositive();
        byte[] edited =
                text.replace("\"people\"", "\"peoplf\"").getBytes(StandardCharsets.ISO_8859_1);
        Files.write(people, edited);

        assertThatThrownBy(
                        () ->
                                tableFormat("peoplf")
                                        .createReader(new Configuration(), split(people, null)))
                .isInstanceOf(PpmlFormatException.class)
                .hasMessageContaining("people.ppml");
    }

    @Test
    void aCopyOfAFileUnderAnotherNameIsRefusedByTheSameReader() throws Exception {
        Path copy = dir.resolve("copy.ppml");
        Files.copy(file, copy);
        DecryptingBulkFormat<String> format = format(true);
        readAll(format.createReader(new Configuration(), split(null)), new ArrayList<>());
        // the same split again (a restore) is fine
        readAll(format.createReader(new Configuration(), split(null)), new ArrayList<>());
        assertThatThrownBy(() -> format.createReader(new Configuration(), split(copy, null)))
                .isInstanceOf(PpmlFormatException.class)
                .hasMessageContaining("data.ppml")
                .hasMessageContaining("copy.ppml")
                .hasMessageContaining("same file id");
    }

    private DecryptingBulkFormat<String> tableFormat(String tableId) {
        return new DecryptingBulkFormat<>(
                key, RecordDecoders.lines(new SimpleStringSchema()), true, tableId);
    }

    private void writeFile(Path target, String prefix, int rows, StreamingParameters streaming)
            throws Exception {
        writeFile(target, prefix, rows, streaming, null);
    }

    private void writeFile(
            Path target, String prefix, int rows, StreamingParameters streaming, String tableId)
            throws Exception {
        try (OutputStream os = Files.newOutputStream(target);
                OutputStream out = PpmlFiles.encrypt(os, key, streaming, "lines", tableId)) {
            for (int i = 0; i < rows; i++) {
                out.write(
                        (prefix + i + ",some padding to fill segments\n")
                                .getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static Configuration tmpDirs(Path tmp) {
        Configuration config = new Configuration();
        config.set(CoreOptions.TMP_DIRS, tmp.toString());
        return config;
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.collect(Collectors.toList());
        }
    }

    private FileSourceSplit swappingSplit() throws Exception {
        return split(
                new org.apache.flink.core.fs.Path("swap://" + file.toAbsolutePath()),
                Files.size(file),
                null);
    }

    private FileSourceSplit split(Path target, CheckpointedPosition position) throws Exception {
        return split(
                new org.apache.flink.core.fs.Path(target.toUri()), Files.size(target), position);
    }

    private static FileSourceSplit split(
            org.apache.flink.core.fs.Path path, long size, CheckpointedPosition position) {
        return new FileSourceSplit("0", path, 0, size, 0, size, new String[0], position);
    }

    @BeforeAll
    static void registerSwappingFileSystem() {
        SwappingFileSystem.register();
    }

    @AfterAll
    static void unregisterSwappingFileSystem() {
        FileSystem.initialize(new Configuration(), null);
    }

    /**
     * Storage that answers the first open of a file truthfully and every later open with another
     * file's bytes: what an attacker who controls the bucket, or a replica that lags, can do.
     */
    static final class SwappingFileSystem extends LocalFileSystem {
        private static final Map<String, Path> LATER = new ConcurrentHashMap<>();
        private static final Map<String, AtomicInteger> OPENS = new ConcurrentHashMap<>();

        static void register() {
            FileSystemFactory factory =
                    new FileSystemFactory() {
                        @Override
                        public String getScheme() {
                            return "swap";
                        }

                        @Override
                        public FileSystem create(URI fsUri) {
                            return new SwappingFileSystem();
                        }
                    };
            PluginManager plugins =
                    new PluginManager() {
                        @Override
                        @SuppressWarnings("unchecked")
                        public <P> Iterator<P> load(Class<P> service) {
                            return service == FileSystemFactory.class
                                    ? List.of((P) factory).iterator()
                                    : Collections.emptyIterator();
                        }
                    };
            FileSystem.initialize(new Configuration(), plugins);
        }

        static void serveLater(Path original, Path replacement) {
            LATER.put(original.toAbsolutePath().toString(), replacement);
            OPENS.remove(original.toAbsolutePath().toString());
        }

        static int opens(Path original) {
            AtomicInteger n = OPENS.get(original.toAbsolutePath().toString());
            return n == null ? 0 : n.get();
        }

        @Override
        public URI getUri() {
            return URI.create("swap:///");
        }

        @Override
        public FSDataInputStream open(org.apache.flink.core.fs.Path f) throws IOException {
            String local = f.toUri().getPath();
            int n = OPENS.computeIfAbsent(local, k -> new AtomicInteger()).incrementAndGet();
            Path later = LATER.get(local);
            String served = n > 1 && later != null ? later.toString() : local;
            return super.open(new org.apache.flink.core.fs.Path(served));
        }
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
        return split(file, position);
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
