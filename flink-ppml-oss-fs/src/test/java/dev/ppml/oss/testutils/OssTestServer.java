package dev.ppml.oss.testutils;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ppml.oss.Crc64;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A loopback OSS server for tests (path-style addressing, state in memory, V1 signatures). See the
 * package documentation for what it implements and which faults it injects.
 */
public final class OssTestServer implements AutoCloseable {
    public static final String ACCESS_KEY_ID = "test-access-key-id";
    public static final String ACCESS_KEY_SECRET = "test-access-key-secret";

    private static final Set<String> SIGNED_SUBRESOURCES =
            Set.of("uploads", "uploadId", "partNumber", "acl", "delete", "append", "position");
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;
    private static final Pattern PART =
            Pattern.compile(
                    "<Part>\\s*<PartNumber>(\\d+)</PartNumber>\\s*<ETag>([^<]*)</ETag>\\s*</Part>");

    /** A stored object. */
    public static final class StoredObject {
        public final byte[] bytes;
        public final String etag;
        public final long lastModified = System.currentTimeMillis();

        StoredObject(byte[] bytes, String etag) {
            this.bytes = bytes;
            this.etag = etag;
        }
    }

    private static final class Upload {
        final String bucket;
        final String key;
        final NavigableMap<Integer, StoredObject> parts = new ConcurrentSkipListMap<>();

        Upload(String bucket, String key) {
            this.bucket = bucket;
            this.key = key;
        }
    }

    private final Map<String, NavigableMap<String, StoredObject>> buckets =
            new ConcurrentHashMap<>();
    private final Map<String, Upload> uploads = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final Set<Integer> flipParts = ConcurrentHashMap.newKeySet();
    private final Set<Integer> dropParts = ConcurrentHashMap.newKeySet();
    private volatile boolean flipNextPut;
    private final AtomicInteger failNext = new AtomicInteger();
    private volatile int failStatus = 503;
    private volatile Duration latency = Duration.ZERO;
    private HttpServer server;

    /** Starts on 127.0.0.1 at an ephemeral port. */
    public static OssTestServer start() throws IOException {
        OssTestServer s = new OssTestServer();
        s.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.server.setExecutor(
                Executors.newFixedThreadPool(
                        8,
                        r -> {
                            Thread t = new Thread(r, "oss-test-server");
                            t.setDaemon(true);
                            return t;
                        }));
        s.server.createContext("/", s::handle);
        s.server.start();
        return s;
    }

    /** The endpoint for the SDK, {@code http://127.0.0.1:<port>}. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public void createBucket(String bucket) {
        buckets.putIfAbsent(bucket, new ConcurrentSkipListMap<>());
    }

    // ---- fault injection ----

    /** The next upload of part {@code partNumber} has one bit flipped after it is received. */
    public void flipBitInNextUploadOfPart(int partNumber) {
        flipParts.add(partNumber);
    }

    /** The next PutObject has one bit flipped after it is received. */
    public void flipBitInNextPut() {
        flipNextPut = true;
    }

    /** Every upload of part {@code partNumber} is answered 200 "Hello World" and not stored. */
    public void dropPart(int partNumber) {
        dropParts.add(partNumber);
    }

    /** The next {@code n} requests fail with {@code status} (e.g. 503). */
    public void failNextRequests(int n, int status) {
        failStatus = status;
        failNext.set(n);
    }

    public void setLatency(Duration latency) {
        this.latency = latency;
    }

    // ---- introspection ----

    public byte[] objectBytes(String bucket, String key) {
        StoredObject o = bucket(bucket).get(key);
        return o == null ? null : o.bytes.clone();
    }

    /** Replaces an object's bytes behind the client's back (another writer, a bad restore). */
    public void replaceObject(String bucket, String key, byte[] bytes) {
        bucket(bucket).put(key, new StoredObject(bytes.clone(), md5Etag(bytes)));
    }

    /** Deletes an object behind the client's back (a lifecycle rule, an operator). */
    public void deleteObject(String bucket, String key) {
        bucket(bucket).remove(key);
    }

    public Set<String> keys(String bucket) {
        return Set.copyOf(bucket(bucket).keySet());
    }

    public int uploadsInProgress() {
        return uploads.size();
    }

    /** Requests seen, by operation name (PutObject, UploadPart, CompleteMultipartUpload, ...). */
    public int requests(String operation) {
        AtomicInteger n = requests.get(operation);
        return n == null ? 0 : n.get();
    }

    private NavigableMap<String, StoredObject> bucket(String name) {
        NavigableMap<String, StoredObject> b = buckets.get(name);
        return b == null ? new TreeMap<>() : b;
    }

    // ---- protocol ----

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!latency.isZero()) {
                Thread.sleep(latency.toMillis());
            }
            byte[] body = ex.getRequestBody().readAllBytes();
            String rawPath = ex.getRequestURI().getRawPath();
            String path = URLDecoder.decode(rawPath, StandardCharsets.UTF_8);
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            String[] bk = path.substring(1).split("/", 2);
            String bucket = bk[0];
            String key = bk.length > 1 ? bk[1] : "";
            String op = operation(ex.getRequestMethod(), key, query, ex.getRequestHeaders());
            requests.computeIfAbsent(op, o -> new AtomicInteger()).incrementAndGet();
            if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                error(
                        ex,
                        failStatus,
                        failStatus == 503 ? "ServiceUnavailable" : "InternalError",
                        "injected failure");
                return;
            }
            String auth = checkSignature(ex, bucket, key, query);
            if (auth != null) {
                error(
                        ex,
                        403,
                        auth,
                        auth.equals("InvalidAccessKeyId")
                                ? "The OSS Access Key Id you provided does not exist in our records."
                                : "The request signature we calculated does not match the signature you provided.");
                return;
            }
            if (!bucket.isEmpty() && !buckets.containsKey(bucket) && !op.equals("PutBucket")) {
                error(ex, 404, "NoSuchBucket", "The specified bucket does not exist.");
                return;
            }
            switch (op) {
                case "PutBucket":
                    createBucket(bucket);
                    empty(ex, 200);
                    break;
                case "PutObject":
                    putObject(ex, bucket, key, body);
                    break;
                case "CopyObject":
                    copyObject(ex, bucket, key);
                    break;
                case "GetObject":
                    getObject(ex, bucket, key, true);
                    break;
                case "HeadObject":
                    getObject(ex, bucket, key, false);
                    break;
                case "DeleteObject":
                    bucket(bucket).remove(key);
                    empty(ex, 204);
                    break;
                case "ListObjects":
                    listObjects(ex, bucket, query);
                    break;
                case "InitiateMultipartUpload":
                    initiate(ex, bucket, key);
                    break;
                case "UploadPart":
                    uploadPart(ex, query, body);
                    break;
                case "CompleteMultipartUpload":
                    complete(ex, bucket, key, query, body);
                    break;
                case "AbortMultipartUpload":
                    if (uploads.remove(query.get("uploadId")) == null) {
                        error(ex, 404, "NoSuchUpload", "The specified upload does not exist.");
                    } else {
                        empty(ex, 204);
                    }
                    break;
                case "ListParts":
                    listParts(ex, query);
                    break;
                default:
                    error(
                            ex,
                            400,
                            "NotImplemented",
                            "operation "
                                    + op
                                    + " is outside the REST subset this test server speaks");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String operation(String method, String key, Map<String, String> q, Headers h) {
        switch (method) {
            case "PUT":
                if (key.isEmpty()) {
                    return "PutBucket";
                }
                if (q.containsKey("partNumber")) {
                    return "UploadPart";
                }
                return h.containsKey("x-oss-copy-source") ? "CopyObject" : "PutObject";
            case "POST":
                return q.containsKey("uploads")
                        ? "InitiateMultipartUpload"
                        : "CompleteMultipartUpload";
            case "GET":
                if (key.isEmpty()) {
                    return "ListObjects";
                }
                return q.containsKey("uploadId") ? "ListParts" : "GetObject";
            case "HEAD":
                return "HeadObject";
            case "DELETE":
                return q.containsKey("uploadId") ? "AbortMultipartUpload" : "DeleteObject";
            default:
                return method;
        }
    }

    /** Null when the V1 signature is right, else the OSS error code. */
    private String checkSignature(
            HttpExchange ex, String bucket, String key, Map<String, String> query) {
        Headers h = ex.getRequestHeaders();
        String auth = h.getFirst("Authorization");
        if (auth == null || !auth.startsWith("OSS ") || !auth.contains(":")) {
            return "AccessDenied";
        }
        String id = auth.substring(4, auth.lastIndexOf(':'));
        if (!ACCESS_KEY_ID.equals(id)) {
            return "InvalidAccessKeyId";
        }
        StringBuilder toSign = new StringBuilder();
        toSign.append(ex.getRequestMethod()).append('\n');
        toSign.append(value(h, "Content-MD5")).append('\n');
        toSign.append(value(h, "Content-Type")).append('\n');
        toSign.append(value(h, "Date")).append('\n');
        TreeMap<String, String> oss = new TreeMap<>();
        h.forEach(
                (k, v) -> {
                    String lk = k.toLowerCase(Locale.ROOT);
                    if (lk.startsWith("x-oss-")) {
                        oss.put(lk, String.join(",", v).trim());
                    }
                });
        oss.forEach((k, v) -> toSign.append(k).append(':').append(v).append('\n'));
        toSign.append('/').append(bucket).append('/');
        if (!bucket.isEmpty()) {
            toSign.append(key);
        }
        TreeMap<String, String> sub = new TreeMap<>();
        query.forEach(
                (k, v) -> {
                    if (SIGNED_SUBRESOURCES.contains(k)) {
                        sub.put(k, v);
                    }
                });
        if (!sub.isEmpty()) {
            toSign.append('?');
            List<String> parts = new ArrayList<>();
            sub.forEach((k, v) -> parts.add(v == null || v.isEmpty() ? k : k + "=" + v));
            toSign.append(String.join("&", parts));
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(
                    new SecretKeySpec(
                            ACCESS_KEY_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            String expected =
                    Base64.getEncoder()
                            .encodeToString(
                                    mac.doFinal(
                                            toSign.toString().getBytes(StandardCharsets.UTF_8)));
            return expected.equals(auth.substring(auth.lastIndexOf(':') + 1))
                    ? null
                    : "SignatureDoesNotMatch";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String value(Headers h, String name) {
        String v = h.getFirst(name);
        return v == null ? "" : v;
    }

    private void putObject(HttpExchange ex, String bucket, String key, byte[] body)
            throws IOException {
        if (flipNextPut && body.length > 0) {
            flipNextPut = false;
            body[body.length - 1] ^= 0x01;
        }
        StoredObject o = new StoredObject(body, md5Etag(body));
        bucket(bucket).put(key, o);
        ex.getResponseHeaders().add("ETag", o.etag);
        ex.getResponseHeaders()
                .add("x-oss-hash-crc64ecma", Crc64.toOssString(Crc64.of(body, 0, body.length)));
        empty(ex, 200);
    }

    private void copyObject(HttpExchange ex, String bucket, String key) throws IOException {
        String source =
                URLDecoder.decode(
                        ex.getRequestHeaders().getFirst("x-oss-copy-source"),
                        StandardCharsets.UTF_8);
        String[] bk = source.substring(source.startsWith("/") ? 1 : 0).split("/", 2);
        StoredObject from = bucket(bk[0]).get(bk[1]);
        if (from == null) {
            error(ex, 404, "NoSuchKey", "The specified key does not exist.");
            return;
        }
        StoredObject copy = new StoredObject(from.bytes.clone(), from.etag);
        bucket(bucket).put(key, copy);
        xml(
                ex,
                200,
                "<CopyObjectResult><LastModified>"
                        + isoDate(copy.lastModified)
                        + "</LastModified><ETag>"
                        + copy.etag
                        + "</ETag></CopyObjectResult>");
    }

    private void getObject(HttpExchange ex, String bucket, String key, boolean withBody)
            throws IOException {
        StoredObject o = bucket(bucket).get(key);
        if (o == null) {
            if (withBody) {
                error(ex, 404, "NoSuchKey", "The specified key does not exist.");
            } else {
                ex.getResponseHeaders().add("x-oss-request-id", UUID.randomUUID().toString());
                ex.sendResponseHeaders(404, -1);
            }
            return;
        }
        Headers rh = ex.getResponseHeaders();
        rh.add("ETag", o.etag);
        rh.add(
                "Last-Modified",
                HTTP_DATE.format(
                        ZonedDateTime.ofInstant(
                                Instant.ofEpochMilli(o.lastModified), ZoneOffset.UTC)));
        rh.add("x-oss-hash-crc64ecma", Crc64.toOssString(Crc64.of(o.bytes, 0, o.bytes.length)));
        rh.add("x-oss-request-id", UUID.randomUUID().toString());
        rh.add("Content-Type", "application/octet-stream");
        if (!withBody) {
            rh.add("Content-Length", Long.toString(o.bytes.length));
            ex.sendResponseHeaders(200, -1);
            return;
        }
        String range = ex.getRequestHeaders().getFirst("Range");
        int start = 0;
        int end = o.bytes.length - 1;
        int status = 200;
        if (range != null && range.startsWith("bytes=")) {
            String[] se = range.substring(6).split("-", -1);
            start = se[0].isEmpty() ? 0 : Integer.parseInt(se[0]);
            end =
                    se[1].isEmpty()
                            ? o.bytes.length - 1
                            : Math.min(Integer.parseInt(se[1]), o.bytes.length - 1);
            status = 206;
            rh.add("Content-Range", "bytes " + start + "-" + end + "/" + o.bytes.length);
        }
        byte[] slice = Arrays.copyOfRange(o.bytes, start, end + 1);
        ex.sendResponseHeaders(status, slice.length == 0 ? -1 : slice.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(slice);
        }
    }

    private void listObjects(HttpExchange ex, String bucket, Map<String, String> q)
            throws IOException {
        boolean v2 = "2".equals(q.get("list-type"));
        String prefix = q.getOrDefault("prefix", "");
        String delimiter = q.get("delimiter");
        String marker =
                v2
                        ? q.getOrDefault("continuation-token", q.getOrDefault("start-after", ""))
                        : q.getOrDefault("marker", "");
        int max = Integer.parseInt(q.getOrDefault("max-keys", "100"));
        StringBuilder contents = new StringBuilder();
        TreeSet<String> prefixes = new TreeSet<>();
        int n = 0;
        String last = null;
        boolean truncated = false;
        for (Map.Entry<String, StoredObject> e : bucket(bucket).tailMap(marker, false).entrySet()) {
            String k = e.getKey();
            if (!k.startsWith(prefix)) {
                continue;
            }
            if (n >= max) {
                truncated = true;
                break;
            }
            int d =
                    delimiter == null || delimiter.isEmpty()
                            ? -1
                            : k.indexOf(delimiter, prefix.length());
            if (d >= 0) {
                if (prefixes.add(k.substring(0, d + delimiter.length()))) {
                    n++;
                }
            } else {
                contents.append("<Contents><Key>")
                        .append(escape(k))
                        .append("</Key><LastModified>")
                        .append(isoDate(e.getValue().lastModified))
                        .append("</LastModified><ETag>")
                        .append(e.getValue().etag)
                        .append("</ETag><Type>Normal</Type><Size>")
                        .append(e.getValue().bytes.length)
                        .append("</Size><StorageClass>Standard</StorageClass>")
                        .append(
                                "<Owner><ID>test-owner</ID><DisplayName>test-owner</DisplayName></Owner>")
                        .append("</Contents>");
                n++;
            }
            last = k;
        }
        StringBuilder xml =
                new StringBuilder("<ListBucketResult><Name>")
                        .append(bucket)
                        .append("</Name><Prefix>")
                        .append(escape(prefix))
                        .append("</Prefix>");
        if (v2) {
            xml.append("<KeyCount>").append(n).append("</KeyCount>");
            if (q.containsKey("continuation-token")) {
                xml.append("<ContinuationToken>")
                        .append(escape(marker))
                        .append("</ContinuationToken>");
            }
        } else {
            xml.append("<Marker>").append(escape(marker)).append("</Marker>");
        }
        xml.append("<MaxKeys>").append(max).append("</MaxKeys>");
        if (delimiter != null) {
            xml.append("<Delimiter>").append(escape(delimiter)).append("</Delimiter>");
        }
        xml.append("<IsTruncated>").append(truncated).append("</IsTruncated>");
        if (truncated && last != null) {
            String tag = v2 ? "NextContinuationToken" : "NextMarker";
            xml.append('<')
                    .append(tag)
                    .append('>')
                    .append(escape(last))
                    .append("</")
                    .append(tag)
                    .append('>');
        }
        xml.append(contents);
        for (String p : prefixes) {
            xml.append("<CommonPrefixes><Prefix>")
                    .append(escape(p))
                    .append("</Prefix></CommonPrefixes>");
        }
        xml(ex, 200, xml.append("</ListBucketResult>").toString());
    }

    private void initiate(HttpExchange ex, String bucket, String key) throws IOException {
        String id = UUID.randomUUID().toString().replace("-", "").toUpperCase(Locale.ROOT);
        uploads.put(id, new Upload(bucket, key));
        xml(
                ex,
                200,
                "<InitiateMultipartUploadResult><Bucket>"
                        + bucket
                        + "</Bucket><Key>"
                        + escape(key)
                        + "</Key><UploadId>"
                        + id
                        + "</UploadId></InitiateMultipartUploadResult>");
    }

    private void uploadPart(HttpExchange ex, Map<String, String> q, byte[] body)
            throws IOException {
        Upload u = uploads.get(q.get("uploadId"));
        if (u == null) {
            error(ex, 404, "NoSuchUpload", "The specified upload does not exist.");
            return;
        }
        int number = Integer.parseInt(q.get("partNumber"));
        if (dropParts.contains(number)) {
            // what a broken proxy did in Alibaba's published JindoSDK study: 200, nothing stored
            byte[] html = "Hello World".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/html");
            ex.sendResponseHeaders(200, html.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(html);
            }
            return;
        }
        if (flipParts.remove(number) && body.length > 0) {
            body[body.length - 1] ^= 0x01;
        }
        StoredObject part = new StoredObject(body, md5Etag(body));
        u.parts.put(number, part);
        ex.getResponseHeaders().add("ETag", part.etag);
        ex.getResponseHeaders()
                .add("x-oss-hash-crc64ecma", Crc64.toOssString(Crc64.of(body, 0, body.length)));
        empty(ex, 200);
    }

    private void complete(
            HttpExchange ex, String bucket, String key, Map<String, String> q, byte[] body)
            throws IOException {
        Upload u = uploads.get(q.get("uploadId"));
        if (u == null) {
            error(ex, 404, "NoSuchUpload", "The specified upload does not exist.");
            return;
        }
        Matcher m = PART.matcher(new String(body, StandardCharsets.UTF_8));
        ByteArrayOutputStream object = new ByteArrayOutputStream();
        long crc = 0;
        int previous = 0;
        while (m.find()) {
            int number = Integer.parseInt(m.group(1));
            StoredObject part = u.parts.get(number);
            String etag = m.group(2).replace("&quot;", "\"");
            if (number <= previous) {
                error(ex, 400, "InvalidPartOrder", "The list of parts was not in ascending order.");
                return;
            }
            if (part == null || !part.etag.equals(etag)) {
                error(
                        ex,
                        400,
                        "InvalidPart",
                        "One or more of the specified parts could not be found.");
                return;
            }
            previous = number;
            object.writeBytes(part.bytes);
            crc = Crc64.combine(crc, Crc64.of(part.bytes, 0, part.bytes.length), part.bytes.length);
        }
        uploads.remove(q.get("uploadId"));
        byte[] bytes = object.toByteArray();
        StoredObject o = new StoredObject(bytes, "\"" + md5Hex(bytes) + "-" + previous + "\"");
        bucket(bucket).put(key, o);
        ex.getResponseHeaders().add("x-oss-hash-crc64ecma", Crc64.toOssString(crc));
        xml(
                ex,
                200,
                "<CompleteMultipartUploadResult><Location>"
                        + endpoint()
                        + "/"
                        + bucket
                        + "/"
                        + escape(key)
                        + "</Location><Bucket>"
                        + bucket
                        + "</Bucket><Key>"
                        + escape(key)
                        + "</Key><ETag>"
                        + o.etag
                        + "</ETag></CompleteMultipartUploadResult>");
    }

    private void listParts(HttpExchange ex, Map<String, String> q) throws IOException {
        Upload u = uploads.get(q.get("uploadId"));
        if (u == null) {
            error(ex, 404, "NoSuchUpload", "The specified upload does not exist.");
            return;
        }
        StringBuilder xml =
                new StringBuilder("<ListPartsResult><Bucket>")
                        .append(u.bucket)
                        .append("</Bucket><Key>")
                        .append(escape(u.key))
                        .append("</Key><UploadId>")
                        .append(q.get("uploadId"))
                        .append(
                                "</UploadId><PartNumberMarker>0</PartNumberMarker>"
                                        + "<MaxParts>1000</MaxParts><IsTruncated>false</IsTruncated>");
        u.parts.forEach(
                (n, p) ->
                        xml.append("<Part><PartNumber>")
                                .append(n)
                                .append("</PartNumber><LastModified>")
                                .append(isoDate(p.lastModified))
                                .append("</LastModified><ETag>")
                                .append(p.etag)
                                .append("</ETag><Size>")
                                .append(p.bytes.length)
                                .append("</Size></Part>"));
        xml(ex, 200, xml.append("</ListPartsResult>").toString());
    }

    private static void xml(HttpExchange ex, int status, String xml) throws IOException {
        byte[] b =
                ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + xml)
                        .getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/xml");
        ex.getResponseHeaders().add("x-oss-request-id", UUID.randomUUID().toString());
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    private static void empty(HttpExchange ex, int status) throws IOException {
        ex.getResponseHeaders().add("x-oss-request-id", UUID.randomUUID().toString());
        ex.sendResponseHeaders(status, -1);
    }

    private static void error(HttpExchange ex, int status, String code, String message)
            throws IOException {
        String id = UUID.randomUUID().toString();
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().add("x-oss-request-id", id);
            ex.sendResponseHeaders(status, -1);
            return;
        }
        xml(
                ex,
                status,
                "<Error><Code>"
                        + code
                        + "</Code><Message>"
                        + escape(message)
                        + "</Message><RequestId>"
                        + id
                        + "</RequestId><HostId>127.0.0.1</HostId></Error>");
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new TreeMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String p : raw.split("&")) {
            int eq = p.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? p : p.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(p.substring(eq + 1), StandardCharsets.UTF_8);
            q.put(k, v);
        }
        return q;
    }

    private static String md5Etag(byte[] b) {
        return "\"" + md5Hex(b) + "\"";
    }

    private static String md5Hex(byte[] b) {
        try {
            return HexFormat.of()
                    .withUpperCase()
                    .formatHex(MessageDigest.getInstance("MD5").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The SDK parses exactly {@code yyyy-MM-dd'T'HH:mm:ss.SSS'Z'}. */
    private static String isoDate(long millis) {
        return DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
                .withZone(ZoneOffset.UTC)
                .format(Instant.ofEpochMilli(millis));
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
    }
}
