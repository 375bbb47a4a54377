package dev.ppml.oss.writer;

import dev.ppml.oss.Crc64;
import dev.ppml.oss.ObjectStore;
import dev.ppml.oss.OssMetrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.fs.RecoverableFsDataOutputStream;
import org.apache.flink.core.fs.RecoverableWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a finished {@code oss://} file visible, verified: the part CRC64s must combine to the
 * stream's CRC64 before CompleteMultipartUpload is called, and afterwards the object's size and
 * CRC64 must be the expected ones, else the object is deleted and the commit fails.
 *
 * <p>{@link #commitAfterRecovery()} is idempotent: if the upload no longer exists, the object must
 * already be there with the expected size and CRC64; anything else fails loudly. A failed commit is
 * never swallowed.
 */
@Internal
final class OssCommitter implements RecoverableFsDataOutputStream.Committer {
    private static final Logger LOG = LoggerFactory.getLogger(OssCommitter.class);

    private final ObjectStore store;
    private final OssRecoverable recoverable;

    OssCommitter(ObjectStore store, OssRecoverable recoverable) {
        this.store = store;
        this.recoverable = recoverable;
    }

    @Override
    public void commit() throws IOException {
        complete(false);
    }

    @Override
    public void commitAfterRecovery() throws IOException {
        complete(true);
    }

    @Override
    public RecoverableWriter.CommitRecoverable getRecoverable() {
        return recoverable;
    }

    private void complete(boolean afterRecovery) throws IOException {
        OssRecoverable r = recoverable;
        String target = "oss://" + r.bucket() + "/" + r.key();
        List<ObjectStore.PartInfo> parts = new ArrayList<>();
        long combined = 0;
        for (OssRecoverable.Part p : r.parts()) {
            parts.add(new ObjectStore.PartInfo(p.number, p.etag, p.size));
            combined = Crc64.combine(combined, p.crc64, p.size);
        }
        long listed = r.parts().stream().mapToLong(p -> p.size).sum();
        if (listed != r.totalSize()) {
            throw fail(
                    String.format(
                            "not committing %s: its parts hold %d bytes, but %d were written",
                            target, listed, r.totalSize()));
        }
        if (combined != r.expectedCrc64()) {
            throw fail(
                    String.format(
                            "not committing %s: its parts' CRC64s combine to %s, but the stream's"
                                    + " CRC64 is %s",
                            target,
                            Crc64.toOssString(combined),
                            Crc64.toOssString(r.expectedCrc64())));
        }
        ObjectStore.Ack ack;
        try {
            ack = store.completeMultipartUpload(r.key(), r.uploadId(), parts);
        } catch (ObjectStore.NoSuchUploadException e) {
            if (!afterRecovery) {
                throw fail(
                        String.format(
                                "not committing %s: its multipart upload %s no longer exists"
                                        + " (aborted, or expired by a bucket lifecycle rule?)",
                                target, r.uploadId()));
            }
            checkAlreadyCommitted(target);
            return;
        }
        if (ack.crc64 != null) {
            if (ack.crc64 != r.expectedCrc64()) {
                deleteAndFail(
                        target,
                        "CompleteMultipartUpload reported CRC64 " + Crc64.toOssString(ack.crc64));
            }
            // The completion response carries the object's CRC64, computed by the server over
            // exactly the parts listed, whose sizes add up to the total: nothing a HEAD would add.
            OssMetrics.commitVerified();
            LOG.debug(
                    "Committed {} ({} bytes, CRC64 verified by the completion response)",
                    target,
                    r.totalSize());
            return;
        }
        Optional<ObjectStore.ObjectInfo> info = store.head(r.key());
        if (info.isEmpty()) {
            throw fail(target + " is missing right after its upload was completed");
        }
        if (info.get().size != r.totalSize()
                || info.get().crc64 == null
                || info.get().crc64 != r.expectedCrc64()) {
            deleteAndFail(
                    target,
                    String.format(
                            "the completed object has %d bytes and CRC64 %s",
                            info.get().size,
                            info.get().crc64 == null
                                    ? "none"
                                    : Crc64.toOssString(info.get().crc64)));
        }
        OssMetrics.commitVerified();
        LOG.debug("Committed {} ({} bytes, CRC64 verified)", target, r.totalSize());
    }

    private void checkAlreadyCommitted(String target) throws IOException {
        OssRecoverable r = recoverable;
        Optional<ObjectStore.ObjectInfo> info = store.head(r.key());
        if (info.isPresent()
                && info.get().size == r.totalSize()
                && info.get().crc64 != null
                && info.get().crc64 == r.expectedCrc64()) {
            OssMetrics.commitVerified();
            LOG.info(
                    "{} was already committed before recovery (size and CRC64 match the checkpoint)",
                    target);
            return;
        }
        throw fail(
                String.format(
                        "cannot commit %s after recovery: its multipart upload %s is gone and the"
                                + " object %s. The data of this checkpoint is lost for this file;"
                                + " the upload may have expired (bucket lifecycle rule) or been"
                                + " aborted.",
                        target,
                        r.uploadId(),
                        info.isEmpty()
                                ? "does not exist"
                                : String.format(
                                        "has %d bytes and CRC64 %s instead of %d bytes and CRC64 %s",
                                        info.get().size,
                                        info.get().crc64 == null
                                                ? "none"
                                                : Crc64.toOssString(info.get().crc64),
                                        r.totalSize(),
                                        Crc64.toOssString(r.expectedCrc64()))));
    }

    private void deleteAndFail(String target, String found) throws IOException {
        try {
            store.delete(recoverable.key());
        } catch (IOException e) {
            LOG.error("Could not delete the unverified object {}", target, e);
        }
        throw fail(
                String.format(
                        "deleted %s after completing it: %s, but %d bytes with CRC64 %s were"
                                + " written",
                        target,
                        found,
                        recoverable.totalSize(),
                        Crc64.toOssString(recoverable.expectedCrc64())));
    }

    private static IOException fail(String message) {
        OssMetrics.commitFailed();
        LOG.error(message);
        return new IOException(message);
    }

    /** Before resuming: the upload must still exist and hold exactly the checkpointed parts. */
    static void checkUploadIntact(ObjectStore store, OssRecoverable r) throws IOException {
        Optional<List<ObjectStore.PartInfo>> parts = store.listParts(r.key(), r.uploadId());
        String target = "oss://" + r.bucket() + "/" + r.key();
        if (parts.isEmpty()) {
            throw new IOException(
                    String.format(
                            "cannot resume %s: its multipart upload %s no longer exists (aborted,"
                                    + " or expired by a bucket lifecycle rule?)",
                            target, r.uploadId()));
        }
        for (OssRecoverable.Part p : r.parts()) {
            boolean present =
                    parts.get().stream()
                            .anyMatch(
                                    s ->
                                            s.number == p.number
                                                    && s.size == p.size
                                                    && p.etag.equals(s.etag));
            if (!present) {
                throw new IOException(
                        String.format(
                                "cannot resume %s: part %d (%d bytes, ETag %s) of the checkpoint is"
                                        + " not in upload %s",
                                target, p.number, p.size, p.etag, r.uploadId()));
            }
        }
    }
}
