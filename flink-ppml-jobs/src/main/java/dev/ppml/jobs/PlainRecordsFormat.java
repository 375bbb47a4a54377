package dev.ppml.jobs;

import dev.ppml.connector.format.CsvRecordReader;
import java.io.IOException;
import java.util.Arrays;
import java.util.Comparator;
import javax.annotation.Nullable;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.ArrayResultIterator;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * The CSV records of plaintext files (RFC 4180: a quoted field may hold line breaks), each as its
 * exact bytes including its terminator, so that writing the records one after another gives back
 * the file byte for byte; optionally without each file's first (header) record. Counts every byte
 * it reads, header included, into {@link Progress}.
 *
 * <p>Files are not split: a record boundary cannot be found from the middle of a file. Bytes, not
 * strings: no decoding, and bytes that are not UTF-8 pass unchanged.
 */
public final class PlainRecordsFormat implements BulkFormat<byte[], FileSourceSplit> {
    private static final long serialVersionUID = 1L;
    private static final int BATCH_SIZE = 512;

    private final boolean skipHeader;

    public PlainRecordsFormat(boolean skipHeader) {
        this.skipHeader = skipHeader;
    }

    /**
     * The first record of the input with its terminator (of its first visible file by name, for a
     * directory), or null if it is empty.
     */
    @Nullable
    public static byte[] firstRecord(Path path) throws IOException {
        FileSystem fs = path.getFileSystem();
        Path file = path;
        if (fs.getFileStatus(path).isDir()) {
            file =
                    Arrays.stream(fs.listStatus(path))
                            .filter(c -> !c.isDir())
                            .map(FileStatus::getPath)
                            .filter(
                                    p ->
                                            !p.getName().startsWith(".")
                                                    && !p.getName().startsWith("_"))
                            .min(Comparator.comparing(Path::getName))
                            .orElseThrow(
                                    () ->
                                            new IllegalArgumentException(
                                                    "input directory " + path + " has no files"));
        }
        try (CsvRecordReader records =
                new CsvRecordReader(
                        fs.open(file), file.toString(), CsvRecordReader.Syntax.RFC_4180)) {
            return records.nextWithTerminator();
        }
    }

    @Override
    public Reader<byte[]> createReader(Configuration config, FileSourceSplit split)
            throws IOException {
        return open(split, 0);
    }

    @Override
    public Reader<byte[]> restoreReader(Configuration config, FileSourceSplit split)
            throws IOException {
        long skip =
                split.getReaderPosition()
                        .map(CheckpointedPosition::getRecordsAfterOffset)
                        .orElse(0L);
        return open(split, skip);
    }

    private Reader<byte[]> open(FileSourceSplit split, long skip) throws IOException {
        Path path = split.path();
        CsvRecordReader records =
                new CsvRecordReader(
                        path.getFileSystem().open(path),
                        path.toString(),
                        CsvRecordReader.Syntax.RFC_4180);
        try {
            if (skipHeader) {
                byte[] header = records.nextWithTerminator();
                if (header != null) {
                    Progress.addBytes(header.length);
                }
            }
            for (long i = 0; i < skip; i++) {
                if (records.nextWithTerminator() == null) {
                    throw new IOException(
                            String.format(
                                    "file %s has fewer records (%d) than the checkpoint says were"
                                            + " already emitted (%d): it changed since it was read",
                                    path, i, skip));
                }
            }
        } catch (IOException | RuntimeException e) {
            records.close();
            throw e;
        }
        return new RecordsReader(records, skip);
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<byte[]> getProducedType() {
        return PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;
    }

    private static final class RecordsReader implements Reader<byte[]> {
        private final CsvRecordReader records;
        private long emitted;

        RecordsReader(CsvRecordReader records, long emitted) {
            this.records = records;
            this.emitted = emitted;
        }

        @Nullable
        @Override
        public RecordIterator<byte[]> readBatch() throws IOException {
            byte[][] batch = new byte[BATCH_SIZE][];
            int n = 0;
            long bytes = 0;
            byte[] record;
            while (n < BATCH_SIZE && (record = records.nextWithTerminator()) != null) {
                batch[n++] = record;
                bytes += record.length;
            }
            Progress.addBytes(bytes);
            if (n == 0) {
                return null;
            }
            ArrayResultIterator<byte[]> iterator = new ArrayResultIterator<>();
            iterator.set(batch, n, RecordAndPosition.NO_OFFSET, emitted);
            emitted += n;
            return iterator;
        }

        @Override
        public void close() throws IOException {
            records.close();
        }
    }
}
