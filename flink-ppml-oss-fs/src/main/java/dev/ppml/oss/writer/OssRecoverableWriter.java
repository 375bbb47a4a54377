package dev.ppml.oss.writer;

import dev.ppml.oss.ObjectStore;
import dev.ppml.oss.ObjectStoreProvider;
import dev.ppml.oss.OssPath;
import java.io.FileNotFoundException;
import java.io.IOException;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.RecoverableFsDataOutputStream;
import org.apache.flink.core.fs.RecoverableWriter;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flink's {@link RecoverableWriter} for {@code oss://}: exactly-once two-phase commit on multipart
 * uploads whose every part, and the completed object, are CRC64-verified. Supports resume, so row
 * formats with size or time rolling work, as do bulk formats and checkpoint storage.
 */
@Internal
public final class OssRecoverableWriter implements RecoverableWriter {
    private static final Logger LOG = LoggerFactory.getLogger(OssRecoverableWriter.class);

    private final ObjectStoreProvider stores;
    private final OssWriterConfig config;

    @Nullable private final String defaultBucket;

    public OssRecoverableWriter(ObjectStoreProvider stores, OssWriterConfig config) {
        this(stores, config, null);
    }

    /** A writer whose scheme-less paths ({@code /dir/file}) name keys in {@code defaultBucket}. */
    public OssRecoverableWriter(
            ObjectStoreProvider stores, OssWriterConfig config, @Nullable String defaultBucket) {
        this.stores = stores;
        this.config = config;
        this.defaultBucket = defaultBucket;
    }

    @Override
    public RecoverableFsDataOutputStream open(Path path) throws IOException {
        OssPath p = OssPath.of(path, defaultBucket);
        return OssRecoverableFsDataOutputStream.create(
                stores.forBucket(p.bucket()), config, p.key());
    }

    @Override
    public RecoverableFsDataOutputStream recover(ResumeRecoverable resumable) throws IOException {
        OssRecoverable r = (OssRecoverable) resumable;
        return OssRecoverableFsDataOutputStream.resume(stores.forBucket(r.bucket()), config, r);
    }

    @Override
    public boolean requiresCleanupOfRecoverableState() {
        return true;
    }

    /**
     * Deletes the temporary tail object that {@code persist()} left for this checkpoint. Returns
     * false if there was nothing to delete (no tail, or already deleted), as Flink's contract asks,
     * and also when the delete failed: a leftover tail object is garbage named {@code
     * _<name>_tmp_*} next to the file, never data loss, so it must not fail the job that completed
     * a checkpoint.
     */
    @Override
    public boolean cleanupRecoverableState(ResumeRecoverable resumable) {
        OssRecoverable r = (OssRecoverable) resumable;
        String tailKey = r.tailKey();
        if (tailKey == null) {
            return false;
        }
        try {
            ObjectStore store = stores.forBucket(r.bucket());
            if (store.head(tailKey).isEmpty()) {
                return false;
            }
            store.delete(tailKey);
            return true;
        } catch (FileNotFoundException e) {
            return false; // deleted concurrently
        } catch (IOException e) {
            LOG.warn(
                    "Could not delete the temporary object oss://{}/{} of a completed checkpoint;"
                            + " it stays behind as garbage",
                    r.bucket(),
                    tailKey,
                    e);
            return false;
        }
    }

    @Override
    public RecoverableFsDataOutputStream.Committer recoverForCommit(CommitRecoverable committable)
            throws IOException {
        OssRecoverable r = (OssRecoverable) committable;
        return new OssCommitter(stores.forBucket(r.bucket()), r);
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public SimpleVersionedSerializer<CommitRecoverable> getCommitRecoverableSerializer() {
        return (SimpleVersionedSerializer) OssRecoverableSerializer.INSTANCE;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public SimpleVersionedSerializer<ResumeRecoverable> getResumeRecoverableSerializer() {
        return (SimpleVersionedSerializer) OssRecoverableSerializer.INSTANCE;
    }

    @Override
    public boolean supportsResume() {
        return true;
    }
}
