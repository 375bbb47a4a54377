package dev.ppml.oss.writer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/** The write-side settings of one {@code oss://} file system. */
@Internal
public final class OssWriterConfig {
    final int partSize;
    final List<Path> bufferDirs;
    final int concurrency;
    final int attempts;
    final Executor executor;

    /** Memory one open file's part buffers may hold (memory buffering only). */
    final long maxBufferedMemory;

    private final AtomicInteger nextDir = new AtomicInteger();

    /** Memory buffers bounded by the part being filled plus {@code concurrency} in flight. */
    public OssWriterConfig(
            int partSize, List<Path> bufferDirs, int concurrency, int attempts, Executor executor) {
        this(
                partSize,
                bufferDirs,
                concurrency,
                attempts,
                executor,
                (concurrency + 1) * partMemory(partSize));
    }

    public OssWriterConfig(
            int partSize,
            List<Path> bufferDirs,
            int concurrency,
            int attempts,
            Executor executor,
            long maxBufferedMemory) {
        this.partSize = partSize;
        this.bufferDirs = List.copyOf(bufferDirs);
        this.concurrency = concurrency;
        this.attempts = attempts;
        this.executor = executor;
        this.maxBufferedMemory = maxBufferedMemory;
    }

    /** Memory buffers grow in chunks of at most 1 MiB. */
    static int chunkSize(int partSize) {
        return Math.min(partSize, 1 << 20);
    }

    /** The memory one full part takes: whole chunks. */
    public static long partMemory(int partSize) {
        long chunk = chunkSize(partSize);
        return (partSize + chunk - 1) / chunk * chunk;
    }

    /** The memory of one open file; null when parts are buffered on disk. */
    @Nullable
    BufferPool newPool() {
        return bufferDirs.isEmpty() ? new BufferPool(chunkSize(partSize), maxBufferedMemory) : null;
    }

    /** A new part buffer: in memory from {@code pool}, or in the next buffer directory. */
    PartBuffer newBuffer(@Nullable BufferPool pool) throws IOException {
        if (pool != null) {
            return PartBuffer.inMemory(pool);
        }
        Path dir = bufferDirs.get(Math.floorMod(nextDir.getAndIncrement(), bufferDirs.size()));
        // a directory a tmp cleaner removed comes back; what it held is lost and detected on upload
        Files.createDirectories(dir);
        return PartBuffer.onDisk(dir);
    }
}
