package dev.ppml.oss;

import dev.ppml.oss.testutils.OssTestServerExtension;
import java.util.UUID;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.fs.hdfs.AbstractHadoopFileSystemITTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Flink's {@link AbstractHadoopFileSystemITTest} (write, read, list, a directory made by {@code
 * mkdirs}) on {@code oss://}, as Flink's own OSS and S3 file systems run it. The suite uses no
 * Hadoop class; OSS is strongly consistent, so no consistency tolerance.
 */
class OssFileSystemSuiteITCase extends AbstractHadoopFileSystemITTest {

    @RegisterExtension
    static final OssTestServerExtension OSS = new OssTestServerExtension("suite");

    @BeforeAll
    static void configureFileSystem() throws Exception {
        OSS.initializeFileSystem();
        basePath = new Path(OSS.bucketUri() + "tests-" + UUID.randomUUID());
        fs = basePath.getFileSystem();
        consistencyToleranceNS = 0;
    }
}
