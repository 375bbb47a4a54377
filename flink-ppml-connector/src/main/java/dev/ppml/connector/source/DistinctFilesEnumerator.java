package dev.ppml.connector.source;

import dev.ppml.connector.format.PpmlFileHeader;
import dev.ppml.connector.format.PpmlFiles;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.enumerate.FileEnumerator;
import org.apache.flink.connector.file.src.enumerate.NonSplittingRecursiveEnumerator;
import org.apache.flink.core.fs.Path;

/**
 * Lists ppml files as Flink's non-splitting enumerator does, then reads each new file's header (a
 * few hundred bytes; no key is needed or unlocked, so this is safe on the JobManager) and fails the
 * enumeration, before any split is assigned, if two files share a file id or a file is bound to
 * another table than the read expects.
 *
 * <p>The headers read here are not yet authenticated; each reader authenticates its file's header
 * with the body and checks again. A forged id in a copy therefore fails there instead.
 *
 * <p>Scope: one enumerator instance, i.e. the whole of a bounded read, and every discovery pass of
 * a continuous one until the JobManager fails over (file ids are not checkpointed).
 */
@Internal
final class DistinctFilesEnumerator implements FileEnumerator {
    private final FileEnumerator listing = new NonSplittingRecursiveEnumerator();
    @Nullable private final String tableId;

    /** Path to the file id read from its header. */
    private final Map<Path, String> idsByPath = new HashMap<>();

    /** File id to the path first seen with it. */
    private final Map<String, Path> pathsById = new HashMap<>();

    DistinctFilesEnumerator(@Nullable String tableId) {
        this.tableId = tableId;
    }

    static Provider provider(@Nullable String tableId) {
        return () -> new DistinctFilesEnumerator(tableId);
    }

    @Override
    public Collection<FileSourceSplit> enumerateSplits(Path[] paths, int minDesiredSplits)
            throws IOException {
        Collection<FileSourceSplit> splits = listing.enumerateSplits(paths, minDesiredSplits);
        for (FileSourceSplit split : splits) {
            Path path = split.path();
            if (idsByPath.containsKey(path)) {
                continue;
            }
            PpmlFileHeader header;
            try (InputStream in = path.getFileSystem().open(path)) {
                header = PpmlFiles.readHeader(in, path.toString());
            }
            if (tableId != null && !tableId.equals(header.tableId().orElse(null))) {
                throw DecryptingBulkFormat.wrongTable(path.toString(), header, tableId);
            }
            String id = header.fileIdHex();
            Path first = pathsById.putIfAbsent(id, path);
            if (first != null) {
                throw DecryptingBulkFormat.duplicateFileId(id, first.toString(), path.toString());
            }
            idsByPath.put(path, id);
        }
        return splits;
    }
}
