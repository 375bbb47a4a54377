package dev.ppml.oss;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ppml.oss.testutils.OssTestServerExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.RecoverableFsDataOutputStream;
import org.apache.flink.core.fs.RecoverableWriter;
import org.apache.flink.runtime.fs.hdfs.AbstractHadoopRecoverableWriterExceptionITCase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Flink's {@link AbstractHadoopRecoverableWriterExceptionITCase} — how Flink's own OSS and S3
 * writers fail on misuse — on {@code oss://}.
 */
class OssRecoverableWriterExceptionITCase extends AbstractHadoopRecoverableWriterExceptionITCase {

    @RegisterExtension
    static final OssTestServerExtension OSS = new OssTestServerExtension("writer-exceptions");

    private static final String FAILS_AT_RECOVER =
            "the suite expects recover() to succeed and the commit to fail; this writer checks"
                    + " the multipart upload already in recover() and fails there, on restore,"
                    + " instead of at the next commit (see recoverFailsWhenTheUploadIsGone)";

    @RegisterExtension
    static final InapplicableSuiteTests SKIPS =
            InapplicableSuiteTests.none()
                    .skip("testResumeAfterCommit", FAILS_AT_RECOVER)
                    .skip("testResumeWithWrongOffset", FAILS_AT_RECOVER);

    @BeforeAll
    static void configureFileSystem() throws Exception {
        basePath = new Path(OSS.bucketUri() + "tests-" + UUID.randomUUID());
        OSS.initializeFileSystem(tempFolder);
        skipped = false;
    }

    @Override
    protected String getLocalTmpDir() {
        return OSS.bufferDir();
    }

    /** The suite's two skipped scenarios, with the failure where this writer raises it. */
    @Test
    void recoverFailsWhenTheUploadIsGone() throws Exception {
        RecoverableWriter writer = getFileSystem().createRecoverableWriter();

        RecoverableFsDataOutputStream committed = writer.open(new Path(basePathForTest, "a"));
        committed.write(bytes("THIS IS A TEST 1."));
        RecoverableWriter.ResumeRecoverable beforeCommit = committed.persist();
        committed.write(bytes("THIS IS A TEST 2."));
        committed.closeForCommit().commit();
        assertThatThrownBy(() -> writer.recover(beforeCommit))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no longer exists");

        RecoverableFsDataOutputStream stream = writer.open(new Path(basePathForTest, "b"));
        stream.write(bytes("THIS IS A TEST 1."));
        RecoverableWriter.ResumeRecoverable first = stream.persist();
        stream.write(bytes("THIS IS A TEST 2."));
        RecoverableWriter.ResumeRecoverable second = stream.persist();
        writer.recover(first).closeForCommit().commit();
        assertThatThrownBy(() -> writer.recover(second))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no longer exists");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
