package dev.ppml.oss.writer;

import dev.ppml.oss.OssMetrics;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import org.apache.flink.annotation.Internal;

/**
 * The memory of one open file's part buffers: fixed-size chunks, at most {@code maxBytes} of them
 * allocated at once, reused as parts are uploaded. A part buffer grows chunk by chunk (no doubling,
 * no copying), so one file never holds more than its bound, whatever its size; a writer that needs
 * a chunk while all are in parts still uploading waits for one to come back. What it allocated is
 * counted in {@link OssMetrics#bufferedBytes()} until {@link #close()}.
 */
@Internal
final class BufferPool {
    private final int chunkSize;
    private final int maxChunks;
    private final ArrayDeque<byte[]> free = new ArrayDeque<>();
    private int allocated;
    private int peakAllocated;
    private boolean closed;

    /**
     * @param chunkSize bytes per chunk
     * @param maxBytes the bound; at least one chunk
     */
    BufferPool(int chunkSize, long maxBytes) {
        this.chunkSize = chunkSize;
        this.maxChunks = (int) Math.max(1, Math.min(Integer.MAX_VALUE, maxBytes / chunkSize));
    }

    int chunkSize() {
        return chunkSize;
    }

    /** A chunk; blocks while the bound is reached and no chunk is free. */
    synchronized byte[] acquire() throws IOException {
        while (free.isEmpty() && allocated >= maxChunks) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException(
                        "interrupted while waiting for part-buffer memory to be freed by uploads");
            }
        }
        if (!free.isEmpty()) {
            return free.pop();
        }
        allocated++;
        peakAllocated = Math.max(peakAllocated, allocated);
        byte[] chunk = new byte[chunkSize];
        if (!closed) {
            OssMetrics.buffersAllocated(chunkSize);
        }
        return chunk;
    }

    /** Gives a chunk back for reuse. */
    synchronized void release(byte[] chunk) {
        free.push(chunk);
        notifyAll();
    }

    /**
     * The file is done with its memory (committed or abandoned): its chunks leave {@link
     * OssMetrics#bufferedBytes()}. Chunks still in an upload are garbage once it ends.
     */
    synchronized void close() {
        if (!closed) {
            closed = true;
            free.clear();
            OssMetrics.buffersReleased((long) allocated * chunkSize);
        }
    }

    /** Bytes of every chunk ever allocated at once at most: the memory the file held. */
    synchronized long peakAllocatedBytes() {
        return (long) peakAllocated * chunkSize;
    }

    /** The bound, in bytes, rounded down to whole chunks. */
    long maxBytes() {
        return (long) maxChunks * chunkSize;
    }
}
