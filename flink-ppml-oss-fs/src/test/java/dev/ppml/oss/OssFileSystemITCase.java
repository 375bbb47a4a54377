package dev.ppml.oss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ppml.oss.testing.OssTestServer;
import java.io.IOException;
import java.net.URI;
import java.util.Arrays;
import java.util.Random;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.RecoverableFsDataOutputStream;
import org.apache.flink.core.fs.RecoverableWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The oss:// file system on the real aliyun-sdk-oss client against the OSS test server: verified
 * writes through the faults of DESIGN.md §7 as the SDK actually reports them.
 */
class OssFileSystemITCase {

    private static final int PART = 100 * 1024;
    private OssTestServer server;
    private FileSystem fs;

    @BeforeEach
    void setUp() throws Exception {
        server = OssTestServer.start();
        server.createBucket("bkt");
        Configuration conf = new Configuration();
        conf.set(OssOptions.ENDPOINT, server.endpoint());
        conf.set(OssOptions.ACCESS_KEY_ID, OssTestServer.ACCESS_KEY_ID);
        conf.set(OssOptions.ACCESS_KEY_SECRET, OssTestServer.ACCESS_KEY_SECRET);
        conf.set(OssOptions.PART_SIZE, MemorySize.parse("100kb"));
        OssFileSystemFactory factory = new OssFileSystemFactory();
        factory.configure(conf);
        fs = factory.create(URI.create("oss://bkt/"));
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private byte[] writeAndCommit(String key, byte[] data) throws IOException {
        RecoverableFsDataOutputStream out =
                fs.createRecoverableWriter().open(new Path("oss://bkt/" + key));
        out.write(data);
        out.closeForCommit().commit();
        return server.objectBytes("bkt", key);
    }

    @Test
    void writesReadsAndListsThroughTheSdk() throws Exception {
        byte[] data = random(PART * 3 + 77);
        assertThat(writeAndCommit("d/f", data)).isEqualTo(data);
        assertThat(server.requests("UploadPart")).isEqualTo(4);
        try (FSDataInputStream in = fs.open(new Path("oss://bkt/d/f"))) {
            in.seek(PART);
            byte[] b = new byte[10];
            assertThat(in.read(b)).isEqualTo(10);
            assertThat(b).isEqualTo(Arrays.copyOfRange(data, PART, PART + 10));
        }
        assertThat(fs.listStatus(new Path("oss://bkt/d"))).hasSize(1);
        try (FSDataOutputStream out =
                fs.create(new Path("oss://bkt/chk/_metadata"), FileSystem.WriteMode.NO_OVERWRITE)) {
            out.write(data, 0, 1000);
        }
        assertThat(server.objectBytes("bkt", "chk/_metadata")).hasSize(1000);
    }

    @Test
    void aBitFlippedOnTheWireIsCaughtAndThePartUploadedAgain() throws Exception {
        long mismatches = OssMetrics.crcMismatches();
        server.flipBitInNextUploadOfPart(2);
        byte[] data = random(PART * 3);
        assertThat(writeAndCommit("f", data)).isEqualTo(data);
        assertThat(server.requests("UploadPart")).isEqualTo(4);
        assertThat(OssMetrics.crcMismatches()).isEqualTo(mismatches + 1);
    }

    @Test
    void aDroppedPartIsNeverCompleted() throws Exception {
        server.dropPart(2);
        RecoverableFsDataOutputStream out =
                fs.createRecoverableWriter().open(new Path("oss://bkt/f"));
        out.write(random(PART * 3));
        assertThatThrownBy(out::closeForCommit)
                .hasMessageContaining("part 2 of oss://bkt/f was acknowledged without an ETag");
        assertThat(server.requests("CompleteMultipartUpload")).isZero();
        assertThat(server.keys("bkt")).doesNotContain("f");
    }

    @Test
    void aFiveHundredStormIsRidden() throws Exception {
        server.failNextRequests(3, 503);
        byte[] data = random(PART + 5);
        assertThat(writeAndCommit("f", data)).isEqualTo(data);
    }

    @Test
    void persistAndResumeKeepTheTailAndTheUpload() throws Exception {
        byte[] data = random(PART * 2 + 500);
        RecoverableWriter writer = fs.createRecoverableWriter();
        RecoverableFsDataOutputStream out = writer.open(new Path("oss://bkt/f"));
        out.write(data, 0, PART + 300);
        RecoverableWriter.ResumeRecoverable r = out.persist();
        out.close();
        RecoverableFsDataOutputStream resumed = writer.recover(r);
        resumed.write(data, PART + 300, data.length - PART - 300);
        resumed.closeForCommit().commit();
        assertThat(server.objectBytes("bkt", "f")).isEqualTo(data);
        writer.cleanupRecoverableState(r);
        assertThat(server.keys("bkt")).containsExactly("f");
    }

    @Test
    void commitAfterRecoveryIsIdempotentAndFailsLoudlyOnAWrongOrMissingObject() throws Exception {
        RecoverableWriter writer = fs.createRecoverableWriter();
        RecoverableFsDataOutputStream out = writer.open(new Path("oss://bkt/f"));
        out.write(random(1000));
        RecoverableFsDataOutputStream.Committer c = out.closeForCommit();
        RecoverableWriter.CommitRecoverable r = c.getRecoverable();
        c.commit();
        writer.recoverForCommit(r).commitAfterRecovery();

        server.replaceObject("bkt", "f", new byte[1000]); // same size, other bytes
        assertThatThrownBy(() -> writer.recoverForCommit(r).commitAfterRecovery())
                .hasMessageContaining("has 1000 bytes and CRC64")
                .hasMessageContaining("instead of 1000 bytes and CRC64");

        fs.delete(new Path("oss://bkt/f"), false);
        assertThatThrownBy(() -> writer.recoverForCommit(r).commitAfterRecovery())
                .hasMessageContaining("is gone and the object does not exist");
    }

    @Test
    void wrongCredentialsFailWithOssCode() throws Exception {
        Configuration conf = new Configuration();
        conf.set(OssOptions.ENDPOINT, server.endpoint());
        conf.set(OssOptions.ACCESS_KEY_ID, OssTestServer.ACCESS_KEY_ID);
        conf.set(OssOptions.ACCESS_KEY_SECRET, "wrong");
        OssFileSystemFactory factory = new OssFileSystemFactory();
        factory.configure(conf);
        FileSystem wrong = factory.create(URI.create("oss://bkt/"));
        assertThatThrownBy(() -> wrong.createRecoverableWriter().open(new Path("oss://bkt/x")))
                .hasMessageContaining("SignatureDoesNotMatch")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong"));
    }
}
