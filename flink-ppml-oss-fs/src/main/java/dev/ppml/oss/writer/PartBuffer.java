package dev.ppml.oss.writer;

import dev.ppml.oss.Crc64;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Checksum;
import org.apache.flink.annotation.Internal;

/**
 * The bytes of one part before upload, in memory or in a local file. The CRC64 is computed in
 * memory as bytes arrive, before they reach any disk, and is the only pass over them for a
 * checksum; {@link #verify} re-reads a disk buffer and compares, so a bit flipped on disk is caught
 * before the part is uploaded.
 */
@Internal
abstract class PartBuffer implements AutoCloseable {
    private final Checksum crc = new Crc64();
    private long size;

    static PartBuffer inMemory(BufferPool pool) {
        return new Memory(pool);
    }

    static PartBuffer onDisk(Path dir) throws IOException {
        return new Disk(Files.createTempFile(dir, "ppml-oss-part-", ".buf"));
    }

    final void write(byte[] b, int off, int len) throws IOException {
        doWrite(b, off, len);
        crc.update(b, off, len);
        size += len;
    }

    final long size() {
        return size;
    }

    /** The CRC64 of the bytes as they were written. */
    final long crc64() {
        return crc.getValue();
    }

    /**
     * Re-reads a buffer kept outside memory; fails if its bytes no longer match the CRC computed on
     * write.
     */
    void verify(String what) throws IOException {
        Checksum check = new Crc64();
        long n = 0;
        try (InputStream in = open()) {
            byte[] b = new byte[64 * 1024];
            for (int r; (r = in.read(b)) >= 0; ) {
                check.update(b, 0, r);
                n += r;
            }
        }
        if (n != size || check.getValue() != crc64()) {
            throw new IOException(
                    String.format(
                            "local buffer of %s is corrupted (%s): %d bytes with CRC64 %s were"
                                    + " written, %d bytes with CRC64 %s read back; not uploading it",
                            what,
                            location(),
                            size,
                            Crc64.toOssString(crc64()),
                            n,
                            Crc64.toOssString(check.getValue())));
        }
    }

    abstract void doWrite(byte[] b, int off, int len) throws IOException;

    /** Makes everything written readable through {@link #open()}; writing may continue. */
    abstract void seal() throws IOException;

    abstract InputStream open() throws IOException;

    abstract String location();

    /** Releases memory or deletes the file. */
    @Override
    public abstract void close();

    /** Chunks of a {@link BufferPool}, taken one at a time as bytes arrive. */
    private static final class Memory extends PartBuffer {
        private final BufferPool pool;
        private final List<byte[]> chunks = new ArrayList<>();
        private long length;

        Memory(BufferPool pool) {
            this.pool = pool;
        }

        @Override
        void doWrite(byte[] b, int off, int len) throws IOException {
            int chunkSize = pool.chunkSize();
            while (len > 0) {
                int inChunk = (int) (length % chunkSize);
                if (inChunk == 0 && length / chunkSize == chunks.size()) {
                    chunks.add(pool.acquire());
                }
                int n = Math.min(len, chunkSize - inChunk);
                System.arraycopy(b, off, chunks.get(chunks.size() - 1), inChunk, n);
                length += n;
                off += n;
                len -= n;
            }
        }

        @Override
        void verify(String what) {
            // The CRC was computed from these very bytes as they were copied in; memory is as
            // trustworthy as the CRC's own state, so reading it again would find nothing.
        }

        @Override
        void seal() {}

        @Override
        InputStream open() {
            return new ChunksInputStream(chunks, pool.chunkSize(), length);
        }

        @Override
        String location() {
            return "memory";
        }

        @Override
        public void close() {
            chunks.forEach(pool::release);
            chunks.clear();
            length = 0;
        }
    }

    private static final class Disk extends PartBuffer {
        private final Path file;
        private OutputStream out;

        Disk(Path file) throws IOException {
            this.file = file;
            this.out = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024);
        }

        @Override
        void doWrite(byte[] b, int off, int len) throws IOException {
            if (out == null) {
                // sealed for a persist() that uploaded the part so far; the part goes on
                out =
                        new BufferedOutputStream(
                                Files.newOutputStream(file, StandardOpenOption.APPEND), 64 * 1024);
            }
            out.write(b, off, len);
        }

        @Override
        void seal() throws IOException {
            if (out != null) {
                out.close();
                out = null;
            }
        }

        @Override
        InputStream open() throws IOException {
            seal();
            return Files.newInputStream(file);
        }

        @Override
        String location() {
            return file.toString();
        }

        @Override
        public void close() {
            try {
                seal();
            } catch (IOException ignored) {
                // the file is deleted next
            }
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a leftover temp file in a buffer directory; nothing depends on it
            }
        }
    }
}
