package dev.ppml.oss;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * Reads an object with ranged GETs: one open range from the position to the end, reopened on a
 * backward or long forward seek; short forward seeks skip within the open range.
 */
@Internal
final class OssInputStream extends FSDataInputStream {
    private static final long SKIP_LIMIT = 1 << 20;

    private final ObjectStore store;
    private final String key;
    private final long length;
    private InputStream in;
    private long pos;
    private long inPos;

    OssInputStream(ObjectStore store, String key, long length) {
        this.store = store;
        this.key = key;
        this.length = length;
    }

    @Override
    public void seek(long desired) throws IOException {
        if (desired < 0 || desired > length) {
            throw new EOFException(
                    "cannot seek to "
                            + desired
                            + " in oss://"
                            + store.bucket()
                            + "/"
                            + key
                            + " of "
                            + length
                            + " bytes");
        }
        pos = desired;
    }

    @Override
    public long getPos() {
        return pos;
    }

    private void position() throws IOException {
        if (in != null && pos >= inPos && pos - inPos <= SKIP_LIMIT) {
            while (inPos < pos) {
                long skipped = in.skip(pos - inPos);
                if (skipped <= 0) {
                    break;
                }
                inPos += skipped;
            }
            if (inPos == pos) {
                return;
            }
        }
        closeStream();
        in = store.get(key, pos, length);
        inPos = pos;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (pos >= length) {
            return -1;
        }
        position();
        int n = in.read(b, off, (int) Math.min(len, length - pos));
        if (n < 0) {
            throw new EOFException(
                    "oss://"
                            + store.bucket()
                            + "/"
                            + key
                            + " ended at "
                            + pos
                            + " of "
                            + length
                            + " bytes");
        }
        pos += n;
        inPos += n;
        return n;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, length - pos);
    }

    private void closeStream() throws IOException {
        if (in != null) {
            in.close();
            in = null;
        }
    }

    @Override
    public void close() throws IOException {
        closeStream();
    }
}
