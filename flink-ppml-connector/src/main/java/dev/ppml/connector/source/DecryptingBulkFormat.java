package dev.ppml.connector.source;

import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.ppml.connector.format.PpmlFileHeader;
import dev.ppml.connector.format.PpmlFiles;
import dev.ppml.connector.format.PpmlFormatException;
import dev.ppml.connector.format.RecordDecoder;
import dev.ppml.connector.keys.MasterKey;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ConfigurationUtils;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.ArrayResultIterator;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads ppml files as a {@link BulkFormat}, the master key unlocked lazily on the TaskManager,
 * records decoded by the inner {@link RecordDecoder}. A split is a whole file or, when the inner
 * format is splittable, a byte range of one: it reads the records that start in the segments it
 * owns (see {@link PpmlFiles#openSplit}).
 *
 * <p>With {@code verifyBeforeRead} (the default) a split is read from storage once, every segment
 * authenticated, into an {@link AuthenticatedSpool} (memory, or a local file sealed under a key
 * that exists only in this reader); records are decoded from the spool only after the whole split
 * authenticated. So no record of a damaged split reaches downstream operators, and the records
 * decoded are exactly the bytes that were authenticated, whatever the storage serves to any other
 * read. For a file read in several splits, records of its intact splits may have been emitted when
 * another split of it fails; the split that reads to the end authenticates the last segment, so a
 * truncated file always fails the read. Without it, the file is decoded as it streams: each segment
 * is still authenticated before its records are emitted, but records of earlier segments of a
 * later-damaged file may have been emitted when the failure is detected.
 *
 * <p>Table binding: with a table id, a file whose authenticated header names another table, or
 * none, is refused. A file id already read from another path by this reader (among the last {@value
 * #REMEMBERED_FILE_IDS} files it read) is refused too: a copied or duplicated file. {@link
 * EncryptedFileSource} also checks file ids across the whole read before any split is assigned.
 *
 * <p>Checkpointed position: the number of records emitted from the split; on restore the split is
 * read again from its start and that many records are skipped.
 */
@Internal
public final class DecryptingBulkFormat<T> implements BulkFormat<T, FileSourceSplit> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DecryptingBulkFormat.class);

    static final int BATCH_SIZE = 512;

    private final MasterKey masterKey;
    private final RecordDecoder<T> decoder;
    private final boolean verifyBeforeRead;
    @Nullable private final String tableId;

    /** At most this many file ids are remembered per reader, the oldest forgotten first. */
    static final int REMEMBERED_FILE_IDS = 100_000;

    /** File id (hex) to the path it was first read from, by this reader instance. */
    private transient Map<String, String> filesRead;

    public DecryptingBulkFormat(
            MasterKey masterKey, RecordDecoder<T> decoder, boolean verifyBeforeRead) {
        this(masterKey, decoder, verifyBeforeRead, null);
    }

    /**
     * @param tableId the table every file must be bound to, or null to accept files of any (or no)
     *     table
     */
    public DecryptingBulkFormat(
            MasterKey masterKey,
            RecordDecoder<T> decoder,
            boolean verifyBeforeRead,
            @Nullable String tableId) {
        this.masterKey = checkNotNull(masterKey);
        this.decoder = checkNotNull(decoder);
        this.verifyBeforeRead = verifyBeforeRead;
        this.tableId = tableId;
    }

    @Override
    public Reader<T> createReader(Configuration config, FileSourceSplit split) throws IOException {
        return open(config, split, 0);
    }

    @Override
    public Reader<T> restoreReader(Configuration config, FileSourceSplit split) throws IOException {
        long skip =
                split.getReaderPosition()
                        .map(CheckpointedPosition::getRecordsAfterOffset)
                        .orElse(0L);
        return open(config, split, skip);
    }

    private Reader<T> open(Configuration config, FileSourceSplit split, long skip)
            throws IOException {
        Path path = split.path();
        String name = path.toString();
        FileSystem fs = path.getFileSystem();
        long fileSize = split.fileSize();
        boolean whole = split.offset() == 0 && (fileSize < 0 || split.length() >= fileSize);
        PpmlFileHeader header;
        InputStream plaintext;
        boolean fileStart;
        if (whole) {
            PpmlFiles.Decrypted file = PpmlFiles.open(fs.open(path), masterKey, name);
            header = file.header();
            plaintext = file.plaintext();
            fileStart = true;
        } else {
            PpmlFiles.SplitRead part =
                    PpmlFiles.openSplit(
                            fs.open(path),
                            fileSize,
                            masterKey,
                            name,
                            split.offset(),
                            split.offset() + split.length());
            header = part.header();
            plaintext = part.plaintext();
            fileStart = part.fileStart();
        }
        AuthenticatedSpool spool = null;
        RecordDecoder.RecordReader<T> records;
        try {
            checkBinding(header, name);
            PpmlSplits.checkFileId(split, header);
            if (verifyBeforeRead) {
                spool = AuthenticatedSpool.fill(plaintext, tmpDir(config), name);
                LOG.debug(
                        "Authenticated {}{} ({} plaintext bytes, {})",
                        name,
                        whole ? "" : " bytes " + split.offset() + "+" + split.length(),
                        spool.length(),
                        spool.spilled() ? "spooled to local disk, sealed" : "held in memory");
                plaintext = spool.open();
            }
            records =
                    fileStart ? decoder.open(plaintext, name) : decoder.openWithin(plaintext, name);
        } catch (IOException | RuntimeException e) {
            closeQuietly(plaintext, e);
            if (spool != null) {
                closeQuietly(spool, e);
            }
            throw e;
        }
        DecryptingReader<T> reader = new DecryptingReader<>(records, spool, skip);
        try {
            for (long i = 0; i < skip; i++) {
                if (records.read() == null) {
                    throw new IOException(
                            String.format(
                                    "file %s has fewer records (%d) than the checkpoint says were"
                                            + " already emitted (%d): it changed since it was read",
                                    name, i, skip));
                }
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(reader, e);
            throw e;
        }
        return reader;
    }

    private void checkBinding(PpmlFileHeader header, String name) throws PpmlFormatException {
        if (tableId != null && !tableId.equals(header.tableId().orElse(null))) {
            throw wrongTable(name, header, tableId);
        }
        if (filesRead == null) {
            filesRead = Collections.synchronizedMap(new RecentFiles());
        }
        String first = filesRead.putIfAbsent(header.fileIdHex(), name);
        if (first != null && !first.equals(name)) {
            throw duplicateFileId(header.fileIdHex(), first, name);
        }
    }

    /** Insertion-ordered, forgetting the eldest beyond {@link #REMEMBERED_FILE_IDS}. */
    private static final class RecentFiles extends LinkedHashMap<String, String> {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED_FILE_IDS;
        }
    }

    static PpmlFormatException wrongTable(String name, PpmlFileHeader header, String tableId) {
        return new PpmlFormatException(
                String.format(
                        "file %s belongs to %s, but this read expects files of table '%s': it was"
                                + " copied or moved here from another table. Remove it, or read it"
                                + " with that table's id.",
                        name,
                        header.tableId()
                                .map(id -> "table '" + id + "'")
                                .orElse("no table (it was written without a table id)"),
                        tableId));
    }

    static PpmlFormatException duplicateFileId(String fileId, String first, String second) {
        return new PpmlFormatException(
                String.format(
                        "files %s and %s have the same file id %s: one is a copy of the other."
                                + " Every ppml file gets a fresh id when it is written, so a table"
                                + " never holds two; remove the copy.",
                        first, second, fileId));
    }

    private static java.nio.file.Path tmpDir(Configuration config) {
        String[] dirs = ConfigurationUtils.parseTempDirectories(config);
        String dir =
                dirs.length == 0
                        ? System.getProperty("java.io.tmpdir")
                        : dirs[ThreadLocalRandom.current().nextInt(dirs.length)];
        return Paths.get(dir);
    }

    private static void closeQuietly(Closeable closeable, Exception failure) {
        try {
            closeable.close();
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * Whether the inner format can start reading at a record boundary: then a large file is read in
     * splits (format version 2; version-1 files are still read whole).
     */
    @Override
    public boolean isSplittable() {
        return decoder.isSplittable();
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return decoder.getProducedType();
    }

    private static final class DecryptingReader<T> implements Reader<T> {
        private final RecordDecoder.RecordReader<T> records;
        @Nullable private final AuthenticatedSpool spool;
        private long emitted;

        DecryptingReader(
                RecordDecoder.RecordReader<T> records,
                @Nullable AuthenticatedSpool spool,
                long emitted) {
            this.records = records;
            this.spool = spool;
            this.emitted = emitted;
        }

        @Nullable
        @Override
        @SuppressWarnings("unchecked")
        public RecordIterator<T> readBatch() throws IOException {
            Object[] batch = new Object[BATCH_SIZE];
            int n = 0;
            T record;
            while (n < BATCH_SIZE && (record = records.read()) != null) {
                batch[n++] = record;
            }
            if (n == 0) {
                return null;
            }
            ArrayResultIterator<T> iterator = new ArrayResultIterator<>();
            iterator.set((T[]) batch, n, RecordAndPosition.NO_OFFSET, emitted);
            emitted += n;
            return iterator;
        }

        @Override
        public void close() throws IOException {
            try {
                records.close();
            } finally {
                if (spool != null) {
                    spool.close();
                }
            }
        }
    }
}
