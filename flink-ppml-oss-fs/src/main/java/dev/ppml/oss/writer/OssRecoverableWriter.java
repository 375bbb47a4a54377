package dev.ppml.oss.writer;

import dev.ppml.oss.ObjectStoreProvider;
import dev.ppml.oss.OssPath;
import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.RecoverableFsDataOutputStream;
import org.apache.flink.core.fs.RecoverableWriter;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Flink's {@link RecoverableWriter} for {@code oss://}: exactly-once two-phase commit on multipart
 * uploads whose every part, and the completed object, are CRC64-verified. Supports resume, so row
 * formats with size or time rolling work, as do bulk formats and checkpoint storage.
 */
@Internal
public final class OssRecoverableWriter implements RecoverableWriter {

    private final ObjectStoreProvider stores;
    private final OssWriterConfig config;

    public OssRecoverableWriter(ObjectStoreProvider stores, OssWriterConfig config) {
        this.stores = stores;
        this.config = config;
    }

    @Override
    public RecoverableFsDataOutputStream open(Path path) throws IOException {
        OssPath p = OssPath.of(path);
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

    @Override
    public boolean cleanupRecoverableState(ResumeRecoverable resumable) throws IOException {
        OssRecoverable r = (OssRecoverable) resumable;
        if (r.tailKey() == null) {
            return true;
        }
        stores.forBucket(r.bucket()).delete(r.tailKey());
        return true;
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
