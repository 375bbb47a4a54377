package dev.ppml.connector.source;

import dev.ppml.connector.format.PpmlFileHeader;
import dev.ppml.connector.format.PpmlFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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

    /** Header reads in flight at once. */
    static final int CONCURRENT_READS = 16;

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
        Set<Path> unseen = new LinkedHashSet<>();
        for (FileSourceSplit split : splits) {
            if (!idsByPath.containsKey(split.path())) {
                unseen.add(split.path());
            }
        }
        List<Path> fresh = new ArrayList<>(unseen);
        List<PpmlFileHeader> headers = readHeaders(fresh);
        for (int i = 0; i < fresh.size(); i++) {
            Path path = fresh.get(i);
            PpmlFileHeader header = headers.get(i);
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

    /**
     * The headers of {@code paths}, in order, read {@link #CONCURRENT_READS} at a time: on an
     * object store each is a request, and a table may have thousands of files.
     */
    private static List<PpmlFileHeader> readHeaders(List<Path> paths) throws IOException {
        if (paths.isEmpty()) {
            return List.of();
        }
        ExecutorService pool =
                Executors.newFixedThreadPool(
                        Math.min(CONCURRENT_READS, paths.size()),
                        r -> {
                            Thread t = new Thread(r, "ppml-header-reader");
                            t.setDaemon(true);
                            return t;
                        });
        try {
            List<Future<PpmlFileHeader>> futures = new ArrayList<>(paths.size());
            for (Path path : paths) {
                futures.add(pool.submit(() -> readHeader(path)));
            }
            List<PpmlFileHeader> headers = new ArrayList<>(paths.size());
            for (Future<PpmlFileHeader> future : futures) {
                try {
                    headers.add(future.get());
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof IOException io) {
                        throw io;
                    }
                    throw new IOException("cannot read a ppml header: " + cause, cause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted reading ppml headers");
                }
            }
            return headers;
        } finally {
            pool.shutdownNow();
        }
    }

    private static PpmlFileHeader readHeader(Path path) throws IOException {
        try (InputStream in = path.getFileSystem().open(path)) {
            return PpmlFiles.readHeader(in, path.toString());
        }
    }
}
