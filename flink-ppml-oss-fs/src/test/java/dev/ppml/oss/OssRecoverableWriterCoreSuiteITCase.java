package dev.ppml.oss;

import dev.ppml.oss.testutils.OssTestServerExtension;
import java.util.UUID;
import org.apache.flink.core.fs.AbstractRecoverableWriterTest;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Flink's generic {@link AbstractRecoverableWriterTest} on {@code oss://}. Flink runs it only on
 * file systems that write in place (local, HDFS, Azure); the tests whose expectations need that are
 * skipped below with the reason, the others must pass.
 */
class OssRecoverableWriterCoreSuiteITCase extends AbstractRecoverableWriterTest {

    @RegisterExtension
    static final OssTestServerExtension OSS = new OssTestServerExtension("writer-core");

    private static final String IN_PLACE =
            "the suite expects the recovered stream to show as one '.part-0.inprogress.*' file in"
                    + " the directory; on oss:// nothing is visible before the commit";
    private static final String TAIL_OBJECTS =
            "the suite expects part-0 to be the only file after a persist(); on oss:// each"
                    + " persist() leaves its tail as an object '_part-0_tmp_*' next to the target"
                    + " until cleanupRecoverableState, as Flink's S3 and OSS writers do";

    @RegisterExtension
    static final InapplicableSuiteTests SKIPS =
            InapplicableSuiteTests.none()
                    .skip("testCommitAfterPersist", TAIL_OBJECTS)
                    .skip("testCommitAfterRecovery", TAIL_OBJECTS)
                    .skip("testRecoverWithEmptyState", IN_PLACE)
                    .skip("testRecoverWithState", IN_PLACE)
                    .skip("testRecoverFromIntermWithoutAdditionalState", IN_PLACE)
                    .skip("testRecoverAfterMultiplePersistsState", IN_PLACE)
                    .skip(
                            "testResumeWithWrongOffset",
                            "the suite expects resuming from an older checkpoint to truncate the"
                                    + " in-place file so that a newer one no longer resumes; on"
                                    + " oss:// every checkpoint's tail is an object of its own, so"
                                    + " both resume (the multipart upload is checked instead)");

    private static final String TEST_DATA_DIR = "tests-" + UUID.randomUUID();

    @BeforeAll
    static void configureFileSystem() throws Exception {
        OSS.initializeFileSystem();
    }

    @Override
    public Path getBasePath() {
        return new Path(OSS.bucketUri() + TEST_DATA_DIR);
    }

    @Override
    public FileSystem initializeFileSystem() throws Exception {
        return getBasePath().getFileSystem();
    }
}
