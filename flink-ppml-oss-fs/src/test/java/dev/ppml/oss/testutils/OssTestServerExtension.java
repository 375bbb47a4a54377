package dev.ppml.oss.testutils;

import dev.ppml.oss.OssOptions;
import dev.ppml.oss.testing.OssTestServer;
import java.io.File;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.core.fs.FileSystem;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs an {@link OssTestServer} with one bucket for a test class, as a {@code static}
 * {@code @RegisterExtension}: started before the class's {@code @BeforeAll} methods, stopped after
 * its {@code @AfterAll} methods, so suites that clean up their base path in an {@code @AfterAll}
 * still reach the server. Flink's file-system registry is reset after the class.
 */
public final class OssTestServerExtension implements BeforeAllCallback, AfterAllCallback {
    /** The smallest part size the file system accepts, so multipart paths are cheap to reach. */
    public static final MemorySize PART_SIZE = MemorySize.parse("100kb");

    private final String bucket;
    private OssTestServer server;
    private String bufferDir;

    public OssTestServerExtension(String bucket) {
        this.bucket = bucket;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        server = OssTestServer.start();
        server.createBucket(bucket);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            FileSystem.initialize(new Configuration(), null);
        } finally {
            server.close();
        }
    }

    public OssTestServer server() {
        return server;
    }

    /** {@code oss://bucket/}. */
    public String bucketUri() {
        return "oss://" + bucket + "/";
    }

    /** Points Flink's {@code oss://} file system at this server, with in-memory part buffers. */
    public void initializeFileSystem() {
        FileSystem.initialize(configuration(), null);
    }

    /**
     * Points Flink's {@code oss://} file system at this server, buffering parts on disk in {@link
     * #bufferDir()} below {@code tempDir}.
     */
    public void initializeFileSystem(File tempDir) {
        bufferDir = new File(tempDir, "oss_tmp_dir").getAbsolutePath();
        Configuration conf = configuration();
        conf.set(OssOptions.BUFFER_DIRS, List.of(bufferDir));
        FileSystem.initialize(conf, null);
    }

    /** The writer's local part-buffer directory, once {@link #initializeFileSystem(File)} ran. */
    public String bufferDir() {
        return bufferDir;
    }

    /** Endpoint, credentials and the smallest part size for the {@code oss://} file system. */
    public Configuration configuration() {
        Configuration conf = new Configuration();
        conf.set(OssOptions.ENDPOINT, server.endpoint());
        conf.set(OssOptions.ACCESS_KEY_ID, OssTestServer.ACCESS_KEY_ID);
        conf.set(OssOptions.ACCESS_KEY_SECRET, OssTestServer.ACCESS_KEY_SECRET);
        conf.set(OssOptions.PART_SIZE, PART_SIZE);
        return conf;
    }
}
