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
 * Lists ppml files as Flink's non-splitting enumerator does (hidden {@code .} and {@code _} files
 * skipped), then splits files larger than the split size into byte ranges, which readers map to
 * runs of whole segments (see {@code PpmlFiles#openSplit}). No key is needed or unlocked, so this
 * is safe on the JobManager.
 *
 * <p>With {@code checkHeaders}, it first reads each new file's header (a few hundred bytes) and
 * fails the enumeration, before any split is assigned, if two files share a file id or a file is
 * bound to another table than the read expects; a file of format version 1 is then not split (it
 * could only be read whole), and every split carries its file's id, so that all splits of a file
 * are read from the same file even if the path is overwritten meanwhile. The headers read here are
 * not yet authenticated; each reader authenticates its file's header with the body and checks
 * again. A forged id in a copy therefore fails there instead.
 *
 * <p>Scope of the id check: one enumerator instance, i.e. the whole of a bounded read, and every
 * discovery pass of a continuous one until the JobManager fails over (file ids are not
 * checkpointed).
 */
@Internal
final class PpmlFileEnumerator implements FileEnumerator {
    private final FileEnumerator listing = new NonSplittingRecursiveEnumerator();

    /** Header reads in flight at once. */
    static final int CONCURRENT_READS = 16;

    @Nullable private final String tableId;
    private final boolean checkHeaders;
    private final long splitSize;

    /** What each listed file's header said: its id and format version. */
    private record Listed(String fileId, int version) {}

    private final Map<Path, Listed> listed = new HashMap<>();

    /** File id to the path first seen with it. */
    private final Map<String, Path> pathsById = new HashMap<>();

    /**
     * @param splitSize files larger than this are split ({@code Long.MAX_VALUE}: never)
     */
    PpmlFileEnumerator(@Nullable String tableId, boolean checkHeaders, long splitSize) {
        this.tableId = tableId;
        this.checkHeaders = checkHeaders;
        this.splitSize = splitSize;
    }

    static Provider provider(@Nullable String tableId, boolean checkHeaders, long splitSize) {
        return () -> new PpmlFileEnumerator(tableId, checkHeaders, splitSize);
    }

    @Override
    public Collection<FileSourceSplit> enumerateSplits(Path[] paths, int minDesiredSplits)
            throws IOException {
        Collection<FileSourceSplit> files = listing.enumerateSplits(paths, minDesiredSplits);
        if (checkHeaders) {
            checkHeaders(files);
        }
        List<FileSourceSplit> splits = new ArrayList<>(files.size());
        for (FileSourceSplit file : files) {
            Listed header = listed.get(file.path());
            String id = header == null ? null : header.fileId();
            boolean splittable = !checkHeaders || header.version() >= 2;
            splits.addAll(PpmlSplits.split(file, splittable ? splitSize : Long.MAX_VALUE, id));
        }
        return splits;
    }

    private void checkHeaders(Collection<FileSourceSplit> splits) throws IOException {
        Set<Path> unseen = new LinkedHashSet<>();
        for (FileSourceSplit split : splits) {
            if (!listed.containsKey(split.path())) {
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
            listed.put(path, new Listed(id, header.version()));
        }
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
