package dev.ppml.oss.writer;

import dev.ppml.oss.Crc64;
import dev.ppml.oss.ObjectStore;
import dev.ppml.oss.OssMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.fs.RecoverableFsDataOutputStream;
import org.apache.flink.core.fs.RecoverableWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one object as a multipart upload: bytes are checksummed as they arrive, collected into
 * parts of {@code fs.oss.upload.part-size}, uploaded in the background and verified (see {@link
 * PartUploader}). {@link #persist()} makes the bytes of the unfinished part durable as a temporary
 * tail object, so the stream can be resumed after a failure; {@link #closeForCommit()} uploads the
 * last part and returns a committer that verifies the whole object.
 */
@Internal
final class OssRecoverableFsDataOutputStream extends RecoverableFsDataOutputStream {
    private static final Logger LOG =
            LoggerFactory.getLogger(OssRecoverableFsDataOutputStream.class);

    private final ObjectStore store;
    private final OssWriterConfig config;
    private final String key;
    private final String uploadId;
    private final PartUploader uploader;
    private final List<OssRecoverable.Part> recoveredParts;

    /** The memory of this file's part buffers; null when they are on disk. */
    @Nullable private final BufferPool pool;

    /**
     * CRC64 of the bytes in parts submitted so far (resumed parts included): each part's CRC is
     * computed once, as its bytes arrive, and combined here.
     */
    private long submittedCrc;

    private long position;
    private int nextPart;
    private PartBuffer current;
    private final byte[] one = new byte[1];
    private boolean closed;

    /** A new upload. */
    static OssRecoverableFsDataOutputStream create(
            ObjectStore store, OssWriterConfig config, String key) throws IOException {
        String uploadId = store.initiateMultipartUpload(key);
        LOG.debug("Started multipart upload {} of oss://{}/{}", uploadId, store.bucket(), key);
        return new OssRecoverableFsDataOutputStream(store, config, key, uploadId, List.of(), 0, 0);
    }

    /** Resumes an upload from its recoverable: parts stay, the tail is read back into a part. */
    static OssRecoverableFsDataOutputStream resume(
            ObjectStore store, OssWriterConfig config, OssRecoverable r) throws IOException {
        OssCommitter.checkUploadIntact(store, r);
        long partsSize = 0;
        long partsCrc = 0;
        for (OssRecoverable.Part p : r.parts()) {
            partsSize += p.size;
            partsCrc = Crc64.combine(partsCrc, p.crc64, p.size);
        }
        OssRecoverableFsDataOutputStream out =
                new OssRecoverableFsDataOutputStream(
                        store, config, r.key(), r.uploadId(), r.parts(), partsSize, partsCrc);
        if (r.tailKey() != null) {
            try (InputStream tail = store.get(r.tailKey(), 0, r.tailSize())) {
                byte[] b = new byte[64 * 1024];
                for (int n; (n = tail.read(b)) >= 0; ) {
                    out.write(b, 0, n);
                }
            }
            if (out.getPos() != r.totalSize() || out.currentCrc() != r.expectedCrc64()) {
                throw new IOException(
                        String.format(
                                "cannot resume oss://%s/%s: its tail object %s does not match the"
                                        + " checkpoint (%d bytes, CRC64 %s expected; read back %d"
                                        + " bytes, CRC64 %s)",
                                store.bucket(),
                                r.key(),
                                r.tailKey(),
                                r.totalSize(),
                                Crc64.toOssString(r.expectedCrc64()),
                                out.getPos(),
                                Crc64.toOssString(out.currentCrc())));
            }
        }
        return out;
    }

    private OssRecoverableFsDataOutputStream(
            ObjectStore store,
            OssWriterConfig config,
            String key,
            String uploadId,
            List<OssRecoverable.Part> parts,
            long position,
            long crcOfParts)
            throws IOException {
        this.store = store;
        this.config = config;
        this.key = key;
        this.uploadId = uploadId;
        this.recoveredParts = new ArrayList<>(parts);
        this.uploader =
                new PartUploader(
                        store, key, uploadId, config.executor, config.concurrency, config.attempts);
        this.position = position;
        this.submittedCrc = crcOfParts;
        this.nextPart = parts.isEmpty() ? 1 : parts.get(parts.size() - 1).number + 1;
        this.pool = config.newPool();
        this.current = config.newBuffer(pool);
    }

    /** CRC64 of every byte written so far. */
    private long currentCrc() {
        return Crc64.combine(submittedCrc, current.crc64(), current.size());
    }

    @Override
    public void write(int b) throws IOException {
        one[0] = (byte) b;
        write(one, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        checkOpen();
        while (len > 0) {
            int room = (int) Math.min(len, config.partSize - current.size());
            current.write(b, off, room);
            position += room;
            off += room;
            len -= room;
            if (current.size() == config.partSize) {
                submittedCrc = Crc64.combine(submittedCrc, current.crc64(), current.size());
                uploader.submit(nextPart++, current);
                current = config.newBuffer(pool);
            }
        }
    }

    @Override
    public long getPos() {
        return position;
    }

    @Override
    public void flush() {
        // Bytes become durable only with persist() or closeForCommit(): objects cannot be
        // appended to, so there is nothing to flush to.
    }

    @Override
    public void sync() throws IOException {
        checkOpen();
    }

    @Override
    public RecoverableWriter.ResumeRecoverable persist() throws IOException {
        checkOpen();
        List<OssRecoverable.Part> parts = allParts();
        String tailKey = null;
        long tailSize = current.size();
        long tailCrc = current.crc64();
        if (tailSize > 0) {
            tailKey = tailKeyFor(key);
            current.seal();
            current.verify("the tail of oss://" + store.bucket() + "/" + key);
            ObjectStore.Ack ack;
            try (InputStream in = current.open()) {
                ack = store.putObject(tailKey, in, tailSize);
            }
            if (ack.crc64 == null || ack.crc64 != tailCrc) {
                OssMetrics.crcMismatch();
                store.delete(tailKey);
                throw new IOException(
                        String.format(
                                "the tail object %s of oss://%s/%s was stored with CRC64 %s but"
                                        + " %s was sent; the checkpoint cannot use it",
                                tailKey,
                                store.bucket(),
                                key,
                                ack.crc64 == null ? "none" : Crc64.toOssString(ack.crc64),
                                Crc64.toOssString(tailCrc)));
            }
        }
        return new OssRecoverable(
                store.bucket(),
                key,
                uploadId,
                parts,
                tailKey,
                tailSize,
                tailCrc,
                position,
                currentCrc());
    }

    @Override
    public Committer closeForCommit() throws IOException {
        checkOpen();
        long crc = currentCrc();
        if (current.size() > 0 || (recoveredParts.isEmpty() && nextPart == 1)) {
            uploader.submit(nextPart++, current);
        } else {
            current.close();
        }
        List<OssRecoverable.Part> parts = allParts();
        closed = true;
        closePool();
        OssRecoverable recoverable =
                new OssRecoverable(store.bucket(), key, uploadId, parts, null, 0, 0, position, crc);
        return new OssCommitter(store, recoverable);
    }

    private List<OssRecoverable.Part> allParts() throws IOException {
        List<OssRecoverable.Part> parts = new ArrayList<>(recoveredParts);
        parts.addAll(uploader.awaitAll());
        return parts;
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            current.close();
            closePool();
        }
    }

    private void closePool() {
        if (pool != null) {
            pool.close();
        }
    }

    /** The most memory this file's part buffers held at once; 0 when they are on disk. */
    long peakBufferedBytes() {
        return pool == null ? 0 : pool.peakAllocatedBytes();
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("stream of oss://" + store.bucket() + "/" + key + " is closed");
        }
    }

    /** The temporary object holding a persisted tail, next to the target as Flink's S3 does. */
    static String tailKeyFor(String key) {
        int slash = key.lastIndexOf('/');
        String dir = slash < 0 ? "" : key.substring(0, slash + 1);
        String name = key.substring(slash + 1);
        return dir + "_" + name + "_tmp_" + UUID.randomUUID();
    }
}
