package dev.ppml.oss.writer;

import java.io.InputStream;
import java.util.List;
import org.apache.flink.annotation.Internal;

/**
 * The first {@code length} bytes of a list of equal-sized chunks, with mark and reset (the OSS
 * client rewinds a request body it has to send again).
 */
@Internal
final class ChunksInputStream extends InputStream {
    private final List<byte[]> chunks;
    private final int chunkSize;
    private final long length;
    private long position;
    private long mark;

    ChunksInputStream(List<byte[]> chunks, int chunkSize, long length) {
        this.chunks = List.copyOf(chunks);
        this.chunkSize = chunkSize;
        this.length = length;
    }

    @Override
    public int read() {
        if (position >= length) {
            return -1;
        }
        byte b = chunks.get((int) (position / chunkSize))[(int) (position % chunkSize)];
        position++;
        return b & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        if (position >= length) {
            return -1;
        }
        int total = 0;
        while (len > 0 && position < length) {
            int inChunk = (int) (position % chunkSize);
            int n = (int) Math.min(Math.min(len, chunkSize - inChunk), length - position);
            System.arraycopy(chunks.get((int) (position / chunkSize)), inChunk, b, off, n);
            position += n;
            off += n;
            len -= n;
            total += n;
        }
        return total;
    }

    @Override
    public long skip(long n) {
        long skipped = Math.max(0, Math.min(n, length - position));
        position += skipped;
        return skipped;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, length - position);
    }

    @Override
    public boolean markSupported() {
        return true;
    }

    @Override
    public synchronized void mark(int readLimit) {
        mark = position;
    }

    @Override
    public synchronized void reset() {
        position = mark;
    }
}
