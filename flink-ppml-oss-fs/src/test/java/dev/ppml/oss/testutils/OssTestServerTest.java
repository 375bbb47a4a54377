package dev.ppml.oss.testutils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aliyun.oss.ClientBuilderConfiguration;
import com.aliyun.oss.InconsistentException;
import com.aliyun.oss.OSS;
import com.aliyun.oss.OSSClientBuilder;
import com.aliyun.oss.OSSException;
import com.aliyun.oss.model.AbortMultipartUploadRequest;
import com.aliyun.oss.model.CompleteMultipartUploadRequest;
import com.aliyun.oss.model.CompleteMultipartUploadResult;
import com.aliyun.oss.model.GetObjectRequest;
import com.aliyun.oss.model.InitiateMultipartUploadRequest;
import com.aliyun.oss.model.ListObjectsRequest;
import com.aliyun.oss.model.ListPartsRequest;
import com.aliyun.oss.model.ObjectListing;
import com.aliyun.oss.model.ObjectMetadata;
import com.aliyun.oss.model.PartETag;
import com.aliyun.oss.model.PutObjectResult;
import com.aliyun.oss.model.UploadPartRequest;
import com.aliyun.oss.model.UploadPartResult;
import dev.ppml.oss.Crc64;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The test server driven by the real aliyun-sdk-oss client, and the SDK's behaviour under faults.
 */
class OssTestServerTest {

    private OssTestServer server;
    private OSS client;

    @BeforeEach
    void start() throws Exception {
        server = OssTestServer.start();
        server.createBucket("bkt");
        client = client(OssTestServer.ACCESS_KEY_SECRET, 0);
    }

    @AfterEach
    void stop() {
        client.shutdown();
        server.close();
    }

    private OSS client(String secret, int retries) {
        ClientBuilderConfiguration conf = new ClientBuilderConfiguration();
        conf.setMaxErrorRetry(retries);
        return new OSSClientBuilder()
                .build(server.endpoint(), OssTestServer.ACCESS_KEY_ID, secret, conf);
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @Test
    void putGetRangeHeadListCopyDelete() throws Exception {
        byte[] data = random(1000);
        PutObjectResult put = client.putObject("bkt", "dir/a", new ByteArrayInputStream(data));
        assertThat(put.getServerCRC()).isEqualTo(Crc64.of(data, 0, data.length));
        client.putObject("bkt", "dir/sub/c", new ByteArrayInputStream(data));

        assertThat(client.getObject("bkt", "dir/a").getObjectContent().readAllBytes())
                .isEqualTo(data);
        GetObjectRequest range = new GetObjectRequest("bkt", "dir/a");
        range.setRange(10, 19);
        assertThat(client.getObject(range).getObjectContent().readAllBytes())
                .isEqualTo(Arrays.copyOfRange(data, 10, 20));
        ObjectMetadata head = client.getObjectMetadata("bkt", "dir/a");
        assertThat(head.getContentLength()).isEqualTo(1000);
        assertThat(head.getServerCRC()).isEqualTo(Crc64.of(data, 0, data.length));

        ListObjectsRequest list = new ListObjectsRequest("bkt");
        list.setPrefix("dir/");
        list.setDelimiter("/");
        ObjectListing listing = client.listObjects(list);
        assertThat(listing.getObjectSummaries())
                .extracting(s -> s.getKey())
                .containsExactly("dir/a");
        assertThat(listing.getCommonPrefixes()).containsExactly("dir/sub/");

        client.copyObject("bkt", "dir/a", "bkt", "copy");
        assertThat(server.objectBytes("bkt", "copy")).isEqualTo(data);
        client.deleteObject("bkt", "dir/a");
        assertThatThrownBy(() -> client.getObject("bkt", "dir/a"))
                .isInstanceOfSatisfying(
                        OSSException.class,
                        e -> assertThat(e.getErrorCode()).isEqualTo("NoSuchKey"));
    }

    @Test
    void multipartUploadWithCrcs() throws Exception {
        byte[] p1 = random(200_000);
        byte[] p2 = random(1000);
        String id =
                client.initiateMultipartUpload(new InitiateMultipartUploadRequest("bkt", "big"))
                        .getUploadId();
        UploadPartResult r1 =
                client.uploadPart(
                        new UploadPartRequest(
                                "bkt", "big", id, 1, new ByteArrayInputStream(p1), p1.length));
        UploadPartResult r2 =
                client.uploadPart(
                        new UploadPartRequest(
                                "bkt", "big", id, 2, new ByteArrayInputStream(p2), p2.length));
        assertThat(r1.getServerCRC()).isEqualTo(Crc64.of(p1, 0, p1.length));
        assertThat(client.listParts(new ListPartsRequest("bkt", "big", id)).getParts()).hasSize(2);

        CompleteMultipartUploadResult done =
                client.completeMultipartUpload(
                        new CompleteMultipartUploadRequest(
                                "bkt",
                                "big",
                                id,
                                new ArrayList<>(List.of(r1.getPartETag(), r2.getPartETag()))));
        long expected =
                Crc64.combine(Crc64.of(p1, 0, p1.length), Crc64.of(p2, 0, p2.length), p2.length);
        assertThat(done.getServerCRC()).isEqualTo(expected);
        assertThat(server.objectBytes("bkt", "big")).hasSize(201_000);
        assertThat(server.uploadsInProgress()).isZero();
    }

    @Test
    void abortAndListPartsAndLatency() throws Exception {
        String id =
                client.initiateMultipartUpload(new InitiateMultipartUploadRequest("bkt", "k"))
                        .getUploadId();
        client.uploadPart(
                new UploadPartRequest(
                        "bkt", "k", id, 1, new ByteArrayInputStream(new byte[10]), 10));
        assertThat(server.uploadsInProgress()).isEqualTo(1);
        client.abortMultipartUpload(new AbortMultipartUploadRequest("bkt", "k", id));
        assertThat(server.uploadsInProgress()).isZero();
        assertThatThrownBy(() -> client.listParts(new ListPartsRequest("bkt", "k", id)))
                .isInstanceOfSatisfying(
                        OSSException.class,
                        e -> assertThat(e.getErrorCode()).isEqualTo("NoSuchUpload"));

        server.setLatency(Duration.ofMillis(300));
        long start = System.nanoTime();
        client.putObject("bkt", "slow", new ByteArrayInputStream(new byte[1]));
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void wrongCredentialsGetOssErrors() {
        OSS wrongSecret = client("not-the-secret", 0);
        assertThatThrownBy(
                        () ->
                                wrongSecret.putObject(
                                        "bkt", "k", new ByteArrayInputStream(new byte[1])))
                .isInstanceOfSatisfying(
                        OSSException.class,
                        e -> assertThat(e.getErrorCode()).isEqualTo("SignatureDoesNotMatch"));
        OSS wrongId = new OSSClientBuilder().build(server.endpoint(), "someone-else", "x");
        assertThatThrownBy(
                        () -> wrongId.putObject("bkt", "k", new ByteArrayInputStream(new byte[1])))
                .isInstanceOfSatisfying(
                        OSSException.class,
                        e -> assertThat(e.getErrorCode()).isEqualTo("InvalidAccessKeyId"));
        assertThat(server.keys("bkt")).isEmpty();
    }

    @Test
    void aBitFlippedOnTheWireMakesTheSdkThrowAfterTheServerStoredIt() throws Exception {
        byte[] part = random(5000);
        String id =
                client.initiateMultipartUpload(new InitiateMultipartUploadRequest("bkt", "k"))
                        .getUploadId();
        server.flipBitInNextUploadOfPart(1);
        assertThatThrownBy(
                        () ->
                                client.uploadPart(
                                        new UploadPartRequest(
                                                "bkt",
                                                "k",
                                                id,
                                                1,
                                                new ByteArrayInputStream(part),
                                                part.length)))
                .isInstanceOf(InconsistentException.class);
        // uploading the same part number again overwrites the corrupted one
        UploadPartResult again =
                client.uploadPart(
                        new UploadPartRequest(
                                "bkt", "k", id, 1, new ByteArrayInputStream(part), part.length));
        client.completeMultipartUpload(
                new CompleteMultipartUploadRequest(
                        "bkt", "k", id, new ArrayList<>(List.of(again.getPartETag()))));
        assertThat(server.objectBytes("bkt", "k")).isEqualTo(part);
    }

    @Test
    void aDroppedPartLooksSuccessfulToTheSdk() throws Exception {
        byte[] part = random(5000);
        String id =
                client.initiateMultipartUpload(new InitiateMultipartUploadRequest("bkt", "k"))
                        .getUploadId();
        server.dropPart(1);
        UploadPartResult r =
                client.uploadPart(
                        new UploadPartRequest(
                                "bkt", "k", id, 1, new ByteArrayInputStream(part), part.length));
        PartETag tag = r.getPartETag();
        assertThat(tag.getETag()).as("no exception, but no ETag").isNull();
        assertThat(r.getServerCRC()).as("and no CRC, so the SDK skipped its check").isNull();
    }

    @Test
    void fiveHundredsAreRetriedThenReported() {
        OSS retrying = client(OssTestServer.ACCESS_KEY_SECRET, 2);
        server.failNextRequests(10, 503);
        assertThatThrownBy(
                        () -> retrying.putObject("bkt", "k", new ByteArrayInputStream(new byte[1])))
                .isInstanceOfSatisfying(
                        OSSException.class,
                        e -> assertThat(e.getErrorCode()).isEqualTo("ServiceUnavailable"));
        assertThat(server.requests("PutObject")).isEqualTo(3);
        retrying.shutdown();
    }
}
