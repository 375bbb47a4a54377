package dev.ppml.oss.writer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.annotation.Internal;

/** The write-side settings of one {@code oss://} file system. */
@Internal
public final class OssWriterConfig {
    final int partSize;
    final List<Path> bufferDirs;
    final int concurrency;
    final int attempts;
    final Executor executor;
    private final AtomicInteger nextDir = new AtomicInteger();

    public OssWriterConfig(
            int partSize, List<Path> bufferDirs, int concurrency, int attempts, Executor executor) {
        this.partSize = partSize;
        this.bufferDirs = List.copyOf(bufferDirs);
        this.concurrency = concurrency;
        this.attempts = attempts;
        this.executor = executor;
    }

    /** A new part buffer: in memory, or in the next buffer directory (round robin). */
    PartBuffer newBuffer() throws IOException {
        if (bufferDirs.isEmpty()) {
            return PartBuffer.inMemory(Math.min(partSize, 1 << 20));
        }
        Path dir = bufferDirs.get(Math.floorMod(nextDir.getAndIncrement(), bufferDirs.size()));
        // a directory a tmp cleaner removed comes back; what it held is lost and detected on upload
        Files.createDirectories(dir);
        return PartBuffer.onDisk(dir);
    }
}
