package dev.ppml.oss.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aliyun.oss.ClientBuilderConfiguration;
import com.aliyun.oss.InconsistentException;
import com.aliyun.oss.OSS;
import com.aliyun.oss.OSSClientBuilder;
import com.aliyun.oss.OSSException;
import com.aliyun.oss.common.utils.CRC64;
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
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
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

    private static long crc(byte[] b) {
        CRC64 c = new CRC64();
        c.update(b, 0, b.length);
        return c.getValue();
    }

    /** The CRC64 of {@code n} zero bytes, by doubling: no need to checksum gibibytes of zeros. */
    private static long crcOfZeros(long n) {
        long crc = 0; // of the empty string
        long block = crc(new byte[1]);
        for (long blockLength = 1; n > 0; n >>= 1, blockLength <<= 1) {
            if ((n & 1) != 0) {
                crc = CRC64.combine(crc, block, blockLength);
            }
            block = CRC64.combine(block, block, blockLength);
        }
        return crc;
    }

    private String initiate(String key) {
        return client.initiateMultipartUpload(new InitiateMultipartUploadRequest("bkt", key))
                .getUploadId();
    }

    private byte[] get(String key, long start, long end) throws Exception {
        GetObjectRequest request = new GetObjectRequest("bkt", key);
        request.setRange(start, end);
        try (InputStream in = client.getObject(request).getObjectContent()) {
            return in.readAllBytes();
        }
    }

    /** The bytes of every file the server stores, i.e. what its disk holds. */
    private long storedBytes() throws Exception {
        try (Stream<Path> files = Files.walk(server.storageDirectory())) {
            long n = 0;
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                n += Files.size(p);
            }
            return n;
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            all.writeBytes(p);
        }
        return all.toByteArray();
    }

    @Test
    void reportsCrc64Xz() {
        // the check value of CRC-64/XZ, OSS's x-oss-hash-crc64ecma
        PutObjectResult put =
                client.putObject(
                        "bkt",
                        "check",
                        new ByteArrayInputStream("123456789".getBytes(StandardCharsets.US_ASCII)));
        assertThat(put.getServerCRC()).isEqualTo(0x995DC9BBDF1939FAL);
    }

    @Test
    void countsTheCpuTimeOfItsRequestThreadsAndKnowsEachObjectsCrc() {
        long before = server.cpuNanos();
        byte[] data = random(8 << 20);
        client.putObject("bkt", "big", new ByteArrayInputStream(data));
        assertThat(server.cpuNanos()).isGreaterThan(before);
        assertThat(server.objectCrc64("bkt", "big")).hasValue(crc(data));
        assertThat(server.objectCrc64("bkt", "none")).isEmpty();
    }

    @Test
    void aCompletedUploadIsItsPartFilesNotACopy() throws Exception {
        byte[][] parts = {random(300_000), random(200_001), random(7)};
        String id = initiate("big");
        List<PartETag> tags = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            tags.add(
                    client.uploadPart(
                                    new UploadPartRequest(
                                            "bkt",
                                            "big",
                                            id,
                                            i + 1,
                                            new ByteArrayInputStream(parts[i]),
                                            parts[i].length))
                            .getPartETag());
        }
        Set<Path> partFiles;
        try (Stream<Path> files = Files.list(server.storageDirectory())) {
            partFiles = files.collect(Collectors.toSet());
        }
        long before = storedBytes();

        client.completeMultipartUpload(new CompleteMultipartUploadRequest("bkt", "big", id, tags));

        assertThat(storedBytes()).as("no byte copied").isEqualTo(before).isEqualTo(500_008);
        assertThat(server.objectFiles("bkt", "big"))
                .as("the object is its parts' files, in order")
                .hasSize(3)
                .containsExactlyInAnyOrderElementsOf(partFiles);
        for (int i = 0; i < parts.length; i++) {
            assertThat(server.objectFiles("bkt", "big").get(i)).hasBinaryContent(parts[i]);
        }
        byte[] all = concat(parts);
        // across each part boundary, within a part, the whole object, the last byte
        long[][] ranges = {
            {299_990, 300_009},
            {299_999, 500_000},
            {300_000, 300_000},
            {0, 500_007},
            {500_007, 500_007}
        };
        for (long[] r : ranges) {
            assertThat(get("big", r[0], r[1]))
                    .as("bytes %d-%d", r[0], r[1])
                    .isEqualTo(Arrays.copyOfRange(all, (int) r[0], (int) r[1] + 1));
        }
        assertThat(client.getObject("bkt", "big").getObjectContent().readAllBytes()).isEqualTo(all);
        client.deleteObject("bkt", "big");
        assertThat(storedBytes()).as("deleting the object deletes its files").isZero();
    }

    @Test
    void rangesAsOssAnswersThem() throws Exception {
        byte[] data = random(1000);
        client.putObject("bkt", "k", new ByteArrayInputStream(data));
        assertThat(get("k", -1, 10)).as("bytes=-10, the last 10").isEqualTo(tail(data, 10));
        assertThat(get("k", 990, -1)).as("bytes=990-").isEqualTo(tail(data, 10));
        // by default OSS ignores a range it cannot satisfy and sends the whole object
        assertThat(get("k", 500, 1000)).isEqualTo(data);
        assertThat(get("k", 1000, 1100)).isEqualTo(data);
        assertThat(get("k", -1, 2000)).isEqualTo(data);
        // with x-oss-range-behavior: standard it caps the end, and refuses a start past the end
        GetObjectRequest capped = new GetObjectRequest("bkt", "k");
        capped.setRange(500, 1000);
        capped.addHeader("x-oss-range-behavior", "standard");
        assertThat(client.getObject(capped).getObjectContent().readAllBytes())
                .isEqualTo(tail(data, 500));
        GetObjectRequest past = new GetObjectRequest("bkt", "k");
        past.setRange(1000, 1100);
        past.addHeader("x-oss-range-behavior", "standard");
        assertThatThrownBy(() -> client.getObject(past))
                .isInstanceOfSatisfying(
                        OSSException.class,
                        e -> assertThat(e.getErrorCode()).isEqualTo("InvalidRange"));
    }

    private static byte[] tail(byte[] b, int n) {
        return Arrays.copyOfRange(b, b.length - n, b.length);
    }

    @Test
    void objectsOfManyGibibytesAreServedByRange() throws Exception {
        // a sparse 5 GiB first part costs no disk and no time; sizes and offsets beyond int
        long size1 = (5L << 30) + 5;
        byte[] end1 = random(100);
        Path part1 = Files.createTempFile(server.storageDirectory(), "sparse-", ".bin");
        try (FileChannel ch = FileChannel.open(part1, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(end1), size1 - end1.length);
        }
        long crc1 = CRC64.combine(crcOfZeros(size1 - end1.length), crc(end1), end1.length);
        byte[] data2 = random(1000);
        Path part2 =
                Files.write(Files.createTempFile(server.storageDirectory(), "p-", ".bin"), data2);
        server.storeParts(
                "bkt",
                "huge",
                List.of(
                        new OssTestServer.Blob(part1, size1, crc1),
                        new OssTestServer.Blob(part2, data2.length, crc(data2))));
        long size = size1 + data2.length;

        ObjectMetadata head = client.getObjectMetadata("bkt", "huge");
        assertThat(head.getContentLength()).isEqualTo(size);
        assertThat(head.getServerCRC()).isEqualTo(CRC64.combine(crc1, crc(data2), data2.length));
        assertThat(client.listObjects("bkt", "huge").getObjectSummaries().get(0).getSize())
                .isEqualTo(size);

        long beyondInt = (1L << 31) + 7;
        assertThat(get("huge", beyondInt, beyondInt + 9)).isEqualTo(new byte[10]);
        long beyondUnsignedInt = (1L << 32) + 3;
        assertThat(get("huge", beyondUnsignedInt, beyondUnsignedInt + 9)).isEqualTo(new byte[10]);
        assertThat(get("huge", size1 - end1.length - 10, size1 + 19))
                .as("zeros, the end of part 1, the start of part 2")
                .isEqualTo(concat(new byte[10], end1, Arrays.copyOf(data2, 20)));
        assertThat(get("huge", -1, 10)).isEqualTo(tail(data2, 10));

        client.copyObject("bkt", "huge", "bkt", "huge-copy");
        assertThat(client.getObjectMetadata("bkt", "huge-copy").getContentLength()).isEqualTo(size);
        assertThat(get("huge-copy", size1 - 3, size1 + 2))
                .isEqualTo(concat(tail(end1, 3), Arrays.copyOf(data2, 3)));
        assertThatThrownBy(() -> server.objectBytes("bkt", "huge"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("objectFiles");
    }

    @Test
    void theJdkServerAnswersWithNaglesAlgorithmOff() throws Exception {
        // With Nagle's algorithm on, every reply's body waited ~40 ms for the ACK of its headers.
        // sun.net.httpserver.ServerConfig reads the setting once, when the JVM's first HttpServer
        // is created; the server of this test has started, so what it holds is what every server
        // of this JVM uses. Read directly, not inferred from timing: no timed assertions.
        Method noDelay =
                Class.forName("sun.net.httpserver.ServerConfig").getDeclaredMethod("noDelay");
        noDelay.setAccessible(true);
        assertThat((boolean) noDelay.invoke(null)).isTrue();
        client.putObject("bkt", "small", new ByteArrayInputStream(new byte[] {42}));
        assertThat(get("small", 0, 0)).containsExactly(42);
    }

    @Test
    void putGetRangeHeadListCopyDelete() throws Exception {
        byte[] data = random(1000);
        PutObjectResult put = client.putObject("bkt", "dir/a", new ByteArrayInputStream(data));
        assertThat(put.getServerCRC()).isEqualTo(crc(data));
        client.putObject("bkt", "dir/sub/c", new ByteArrayInputStream(data));

        assertThat(client.getObject("bkt", "dir/a").getObjectContent().readAllBytes())
                .isEqualTo(data);
        GetObjectRequest range = new GetObjectRequest("bkt", "dir/a");
        range.setRange(10, 19);
        assertThat(client.getObject(range).getObjectContent().readAllBytes())
                .isEqualTo(Arrays.copyOfRange(data, 10, 20));
        ObjectMetadata head = client.getObjectMetadata("bkt", "dir/a");
        assertThat(head.getContentLength()).isEqualTo(1000);
        assertThat(head.getServerCRC()).isEqualTo(crc(data));

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
        String id = initiate("big");
        UploadPartResult r1 =
                client.uploadPart(
                        new UploadPartRequest(
                                "bkt", "big", id, 1, new ByteArrayInputStream(p1), p1.length));
        UploadPartResult r2 =
                client.uploadPart(
                        new UploadPartRequest(
                                "bkt", "big", id, 2, new ByteArrayInputStream(p2), p2.length));
        assertThat(r1.getServerCRC()).isEqualTo(crc(p1));
        assertThat(client.listParts(new ListPartsRequest("bkt", "big", id)).getParts()).hasSize(2);

        CompleteMultipartUploadResult done =
                client.completeMultipartUpload(
                        new CompleteMultipartUploadRequest(
                                "bkt",
                                "big",
                                id,
                                new ArrayList<>(List.of(r1.getPartETag(), r2.getPartETag()))));
        long expected = CRC64.combine(crc(p1), crc(p2), p2.length);
        assertThat(done.getServerCRC()).isEqualTo(expected);
        assertThat(server.objectBytes("bkt", "big")).hasSize(201_000);
        assertThat(server.uploadsInProgress()).isZero();
    }

    @Test
    void abortAndListPartsAndLatency() throws Exception {
        String id = initiate("k");
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
        String id = initiate("k");
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
        String id = initiate("k");
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
