package dev.ppml.oss;

import dev.ppml.oss.testutils.OssTestServerExtension;
import java.util.UUID;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemBehaviorTestSuite;
import org.apache.flink.core.fs.FileSystemKind;
import org.apache.flink.core.fs.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Flink's {@link FileSystemBehaviorTestSuite} on {@code oss://} through the real SDK and the OSS
 * test server, as Flink runs it for its own OSS and S3 file systems (kind {@code OBJECT_STORE}; the
 * suite itself skips what only holds for file systems with real directories).
 */
class OssFileSystemBehaviorITCase extends FileSystemBehaviorTestSuite {

    @RegisterExtension
    static final OssTestServerExtension OSS = new OssTestServerExtension("behavior");

    private static final String TEST_DATA_DIR = "tests-" + UUID.randomUUID();

    @BeforeAll
    static void configureFileSystem() throws Exception {
        OSS.initializeFileSystem();
    }

    @Override
    protected FileSystem getFileSystem() throws Exception {
        return getBasePath().getFileSystem();
    }

    @Override
    protected Path getBasePath() {
        return new Path(OSS.bucketUri() + TEST_DATA_DIR);
    }

    @Override
    protected FileSystemKind getFileSystemKind() {
        return FileSystemKind.OBJECT_STORE;
    }
}
