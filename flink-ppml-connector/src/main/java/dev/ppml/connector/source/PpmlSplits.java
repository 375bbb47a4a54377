package dev.ppml.connector.source;

import dev.ppml.connector.format.PpmlFileHeader;
import dev.ppml.connector.format.PpmlFormatException;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.connector.file.src.FileSourceSplit;

/**
 * Splits of ppml files: byte ranges of a file, and the file id a split was planned for, carried in
 * its split id ({@code <id>@<file id>}) so that it survives Flink's split serializer and
 * checkpoints.
 */
@Internal
final class PpmlSplits {
    private static final char FILE_ID = '@';

    private PpmlSplits() {}

    /**
     * {@code file} (one split covering a whole file) as ranges of at most {@code splitSize} bytes;
     * {@code fileId}, if known, recorded in each.
     */
    static List<FileSourceSplit> split(
            FileSourceSplit file, long splitSize, @Nullable String fileId) {
        long size = file.length();
        String suffix = fileId == null ? "" : FILE_ID + fileId;
        List<FileSourceSplit> splits = new ArrayList<>();
        if (size <= splitSize) {
            splits.add(range(file, file.splitId() + suffix, 0, size));
            return splits;
        }
        int i = 0;
        for (long start = 0; start < size; start += splitSize, i++) {
            splits.add(
                    range(
                            file,
                            file.splitId() + "-" + i + suffix,
                            start,
                            Math.min(splitSize, size - start)));
        }
        return splits;
    }

    private static FileSourceSplit range(FileSourceSplit file, String id, long start, long length) {
        return new FileSourceSplit(
                id,
                file.path(),
                start,
                length,
                file.fileModificationTime(),
                file.fileSize(),
                file.hostnames());
    }

    /**
     * Fails if the split was planned for another file than the one read: the path was overwritten
     * between listing and reading, or the storage serves different files to different readers.
     */
    static void checkFileId(FileSourceSplit split, PpmlFileHeader header)
            throws PpmlFormatException {
        String id = split.splitId();
        int at = id.lastIndexOf(FILE_ID);
        if (at < 0) {
            return;
        }
        String expected = id.substring(at + 1);
        if (!expected.equals(header.fileIdHex())) {
            throw new PpmlFormatException(
                    String.format(
                            "file %s is not the file that was listed: its header has file id %s,"
                                    + " the split was planned for file id %s. The path was"
                                    + " overwritten while the job read it, or the storage served"
                                    + " another file; re-run the read on stable input.",
                            split.path(), header.fileIdHex(), expected));
        }
    }
}
