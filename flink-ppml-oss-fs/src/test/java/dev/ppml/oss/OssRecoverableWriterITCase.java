package dev.ppml.oss;

import dev.ppml.oss.testutils.OssTestServerExtension;
import dev.ppml.oss.writer.OssRecoverable;
import java.util.UUID;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.RecoverableWriter;
import org.apache.flink.runtime.fs.hdfs.AbstractHadoopRecoverableWriterITCase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Flink's {@link AbstractHadoopRecoverableWriterITCase} — the recoverable-writer suite Flink's own
 * OSS and S3 writers run — on {@code oss://}: the writer's disk buffer directory is the suite's
 * local temp dir (it must be empty after every test), the persisted tail object is the suite's
 * "incomplete object", and the suite's big chunk is one part.
 */
class OssRecoverableWriterITCase extends AbstractHadoopRecoverableWriterITCase {

    @RegisterExtension
    static final OssTestServerExtension OSS = new OssTestServerExtension("writer");

    @BeforeAll
    static void configureFileSystem() throws Exception {
        basePath = new Path(OSS.bucketUri() + "tests-" + UUID.randomUUID());
        OSS.initializeFileSystem(tempFolder);
        bigDataChunk =
                createBigDataChunk(
                        BIG_CHUNK_DATA_PATTERN, OssTestServerExtension.PART_SIZE.getBytes());
        skipped = false;
    }

    @Override
    protected String getLocalTmpDir() {
        return OSS.bufferDir();
    }

    @Override
    protected String getIncompleteObjectName(RecoverableWriter.ResumeRecoverable recoverable) {
        return ((OssRecoverable) recoverable).tailKey();
    }
}
