package dev.ppml.oss.testing;

import com.aliyun.oss.common.utils.CRC64;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A loopback OSS server for tests and benchmarks (path-style addressing, V1 signatures): our own
 * test double of the public OSS REST protocol, not OSS. See the package documentation for what it
 * implements and which faults it injects.
 *
 * <p>It must not be what a benchmark measures, so bodies never sit in the heap: every PutObject and
 * UploadPart body is streamed to a file in a temporary directory of this server (deleted by {@link
 * #close()}), its CRC64 computed on the way (and no MD5: see {@link Blob#etag()}); a completed
 * multipart upload is the ordered list of its part files, nothing copied; GetObject streams the
 * requested range from those files. Sizes and offsets are {@code long} throughout, so objects of 5
 * GiB and more work. Only keys, ETags and checksums are kept in memory. Its request threads are
 * named {@value #THREAD_NAME}, and {@link #cpuNanos()} adds up their CPU time, so a benchmark can
 * tell the server's CPU time from its client's.
 *
 * <p>Restrictions: loopback only, one fixed test credential ({@link #ACCESS_KEY_ID}, {@link
 * #ACCESS_KEY_SECRET}), no TLS, no persistence beyond {@link #close()}; never expose it.
 */
public final class OssTestServer implements AutoCloseable {
    public static final String ACCESS_KEY_ID = "test-access-key-id";
    public static final String ACCESS_KEY_SECRET = "test-access-key-secret";

    /** The name of every thread that serves a request. */
    public static final String THREAD_NAME = "oss-test-server";

    private static final String NODELAY = "sun.net.httpserver.nodelay";

    static {
        // The JDK server writes a reply's headers and its body in separate writes; with Nagle's
        // algorithm on, the body then waits for the client's delayed ACK of the headers, about
        // 40 ms per request on loopback. sun.net.httpserver.ServerConfig reads this property once,
        // when the JVM creates its first HttpServer, so it is set here, before start() creates
        // one. An explicit -Dsun.net.httpserver.nodelay=false still wins.
        if (System.getProperty(NODELAY) == null) {
            System.setProperty(NODELAY, "true");
        }
    }

    /** Bytes per read or write while streaming bodies to and from files. */
    private static final int CHUNK = 256 * 1024;

    private static final Set<String> SIGNED_SUBRESOURCES =
            Set.of("uploads", "uploadId", "partNumber", "acl", "delete", "append", "position");
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;
    private static final Pattern PART =
            Pattern.compile(
                    "<Part>\\s*<PartNumber>(\\d+)</PartNumber>\\s*<ETag>([^<]*)</ETag>\\s*</Part>");

    /**
     * A received body: a file this server owns (written once, never changed), its length and CRC64.
     */
    record Blob(Path file, long length, long crc64) {
        /**
         * The body's ETag, 16 bytes as an MD5 would be: its CRC64 and its length. OSS documents an
         * ETag as a content tag that clients must not take for the MD5, and no client here does; an
         * MD5 pass over every body cost this server about a tenth of its CPU time.
         */
        byte[] etag() {
            return ByteBuffer.allocate(16).putLong(crc64).putLong(length).array();
        }
    }

    /**
     * A stored object or part: the ordered files holding its bytes (one for PutObject, one per part
     * for a completed multipart upload), with its ETag, size and CRC64.
     */
    public static final class StoredObject {
        public final String etag;
        public final long lastModified = System.currentTimeMillis();
        public final long size;
        public final long crc64;
        final List<Blob> blobs;

        StoredObject(List<Blob> blobs, String etag) {
            this.blobs = List.copyOf(blobs);
            this.etag = etag;
            long n = 0;
            long crc = 0;
            for (Blob b : blobs) {
                crc = CRC64.combine(crc, b.crc64(), b.length());
                n += b.length();
            }
            this.size = n;
            this.crc64 = crc;
        }

        static StoredObject of(Blob blob) {
            return new StoredObject(List.of(blob), "\"" + hex(blob.etag()) + "\"");
        }

        /** The files holding the object's bytes, in order. */
        public List<Path> files() {
            return blobs.stream().map(Blob::file).toList();
        }
    }

    private static final class Upload {
        final String bucket;
        final String key;
        final NavigableMap<Integer, StoredObject> parts = new ConcurrentSkipListMap<>();

        /** Set, under the upload's lock, once it is completed or aborted. */
        boolean closed;

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
    private final Path dir;
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private ExecutorService executor;
    private HttpServer server;

    private OssTestServer(Path storage) throws IOException {
        dir = Files.createTempDirectory(Files.createDirectories(storage), "oss-test-server-");
    }

    /** Starts on 127.0.0.1 at an ephemeral port, keeping bodies under {@code java.io.tmpdir}. */
    public static OssTestServer start() throws IOException {
        return start(Path.of(System.getProperty("java.io.tmpdir")));
    }

    /**
     * Starts on 127.0.0.1 at an ephemeral port, keeping bodies in a new directory under {@code
     * storage}. A benchmark that must not measure a disk puts them in memory ({@code /dev/shm}): on
     * a slow disk, page-cache writeback throttles the server's writes after the first GiB.
     */
    public static OssTestServer start(Path storage) throws IOException {
        OssTestServer s = new OssTestServer(storage);
        try {
            s.server =
                    HttpServer.create(
                            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        s.executor =
                Executors.newFixedThreadPool(
                        8,
                        r -> {
                            Thread t = new Thread(r, THREAD_NAME);
                            t.setDaemon(true);
                            s.threads.add(t);
                            return t;
                        });
        s.server.setExecutor(s.executor);
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

    /**
     * A copy of an object's bytes, or null if there is none; for tests' small objects (use {@link
     * #objectFiles} for large ones).
     */
    public byte[] objectBytes(String bucket, String key) {
        StoredObject o = bucket(bucket).get(key);
        if (o == null) {
            return null;
        }
        if (o.size > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException(
                    String.format(
                            "object %s/%s has %d bytes, too many for an array; read its"
                                    + " objectFiles(bucket, key) instead",
                            bucket, key, o.size));
        }
        byte[] bytes = new byte[(int) o.size];
        int off = 0;
        try {
            for (Blob b : o.blobs) {
                try (FileChannel ch = FileChannel.open(b.file())) {
                    ByteBuffer buf = ByteBuffer.wrap(bytes, off, (int) b.length());
                    while (buf.hasRemaining()) {
                        if (ch.read(buf) < 0) {
                            throw new IOException("file " + b.file() + " ended early");
                        }
                    }
                }
                off += (int) b.length();
            }
        } catch (NoSuchFileException e) {
            return null; // deleted or overwritten while we read
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes;
    }

    /** An object's size, empty if there is no such object. */
    public OptionalLong objectSize(String bucket, String key) {
        StoredObject o = bucket(bucket).get(key);
        return o == null ? OptionalLong.empty() : OptionalLong.of(o.size);
    }

    /**
     * The files holding an object's bytes, in order (one for PutObject, one per part for a
     * multipart upload); empty if there is no such object. The files are the server's: read them,
     * never change them.
     */
    public List<Path> objectFiles(String bucket, String key) {
        StoredObject o = bucket(bucket).get(key);
        return o == null ? List.of() : o.files();
    }

    /** Replaces an object's bytes behind the client's back (another writer, a bad restore). */
    public void replaceObject(String bucket, String key, byte[] bytes) {
        try {
            store(bucket, key, StoredObject.of(write(bytes)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes an object behind the client's back (a lifecycle rule, an operator). */
    public void deleteObject(String bucket, String key) {
        release(bucket(bucket).remove(key));
    }

    /** Where this server keeps its files; tests may create files here for {@link #storeParts}. */
    Path storageDirectory() {
        return dir;
    }

    /**
     * Stores an object made of files the caller wrote in {@link #storageDirectory()} and whose
     * CRC64s it knows, as a completed multipart upload would: lets a test build a sparse object of
     * many GiB without sending it. The server takes the files over.
     */
    void storeParts(String bucket, String key, List<Blob> parts) {
        store(bucket, key, new StoredObject(parts, multipartEtag(parts, parts.size())));
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

    /**
     * CPU time, in nanoseconds, that this server's request threads have used since it started
     * (receiving, checksumming and storing bodies, answering); 0 where the JVM does not measure
     * thread CPU time. The JDK server's single dispatcher thread, which only accepts connections
     * and hands them over, is not included.
     */
    public long cpuNanos() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        if (!mx.isThreadCpuTimeSupported()) {
            return 0;
        }
        long total = 0;
        for (Thread t : threads) {
            // -1 for a thread that has ended: the pool's threads live until close()
            total += Math.max(0, mx.getThreadCpuTime(t.getId()));
        }
        return total;
    }

    /** An object's CRC64 (x-oss-hash-crc64ecma), empty if there is no such object. */
    public OptionalLong objectCrc64(String bucket, String key) {
        StoredObject o = bucket(bucket).get(key);
        return o == null ? OptionalLong.empty() : OptionalLong.of(o.crc64);
    }

    private NavigableMap<String, StoredObject> bucket(String name) {
        NavigableMap<String, StoredObject> b = buckets.get(name);
        return b == null ? new TreeMap<>() : b;
    }

    private void store(String bucket, String key, StoredObject o) {
        NavigableMap<String, StoredObject> b = buckets.get(bucket);
        if (b == null) {
            release(o);
        } else {
            release(b.put(key, o));
        }
    }

    /** Deletes the files of an object or part nothing refers to any more. */
    private static void release(StoredObject o) {
        if (o != null) {
            for (Blob b : o.blobs) {
                try {
                    // a GET still streaming it has the file open, and POSIX keeps it readable
                    Files.deleteIfExists(b.file());
                } catch (IOException e) {
                    // close() deletes whatever is left
                }
            }
        }
    }

    // ---- bodies on disk ----

    /**
     * Streams a request body to a new file, computing its CRC64 as it goes. With {@code
     * flipLastBit} the lowest bit of the last byte is flipped as it is received, so it is stored
     * and checksummed flipped, as a bit flipped on the wire would be.
     */
    private Blob receive(InputStream in, boolean flipLastBit) throws IOException {
        Path file = Files.createTempFile(dir, "blob-", ".bin");
        Crc64Xz crc = new Crc64Xz();
        long length = 0;
        // buf[0] holds back the last byte read, so it can be flipped once the body has ended
        byte[] buf = new byte[CHUNK + 1];
        int held = 0;
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
            int n;
            while ((n = in.read(buf, held, buf.length - held)) >= 0) {
                int emit = held + n - 1;
                if (emit < 0) {
                    continue;
                }
                consume(buf, emit, crc, out);
                length += emit;
                buf[0] = buf[emit];
                held = 1;
            }
            if (held == 1) {
                if (flipLastBit) {
                    buf[0] ^= 0x01;
                }
                consume(buf, 1, crc, out);
                length++;
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return new Blob(file, length, crc.getValue());
    }

    private static void consume(byte[] buf, int len, Crc64Xz crc, FileChannel out)
            throws IOException {
        crc.update(buf, 0, len);
        ByteBuffer b = ByteBuffer.wrap(buf, 0, len);
        while (b.hasRemaining()) {
            out.write(b);
        }
    }

    private Blob write(byte[] bytes) throws IOException {
        Path file = Files.createTempFile(dir, "blob-", ".bin");
        Files.write(file, bytes);
        Crc64Xz crc = new Crc64Xz();
        crc.update(bytes, 0, bytes.length);
        return new Blob(file, bytes.length, crc.getValue());
    }

    /** A second name for a blob's file (a copy where links are unsupported): files never change. */
    private Blob link(Blob b) throws IOException {
        Path to = dir.resolve("blob-" + UUID.randomUUID() + ".bin");
        try {
            Files.createLink(to, b.file());
        } catch (UnsupportedOperationException | IOException e) {
            if (e instanceof NoSuchFileException) {
                throw (NoSuchFileException) e;
            }
            Files.copy(b.file(), to);
        }
        return new Blob(to, b.length(), b.crc64());
    }

    /** Reads what the client sent but the server will not use, so the reply is not cut short. */
    private static void drain(HttpExchange ex) throws IOException {
        ex.getRequestBody().transferTo(OutputStream.nullOutputStream());
    }

    // ---- protocol ----

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!latency.isZero()) {
                Thread.sleep(latency.toMillis());
            }
            String rawPath = ex.getRequestURI().getRawPath();
            String path = URLDecoder.decode(rawPath, StandardCharsets.UTF_8);
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            String[] bk = path.substring(1).split("/", 2);
            String bucket = bk[0];
            String key = bk.length > 1 ? bk[1] : "";
            String op = operation(ex.getRequestMethod(), key, query, ex.getRequestHeaders());
            // object bodies are streamed to files by their operation; the rest are small XML
            boolean streamed = op.equals("PutObject") || op.equals("UploadPart");
            byte[] body = streamed ? null : ex.getRequestBody().readAllBytes();
            requests.computeIfAbsent(op, o -> new AtomicInteger()).incrementAndGet();
            if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                drain(ex);
                error(
                        ex,
                        failStatus,
                        failStatus == 503 ? "ServiceUnavailable" : "InternalError",
                        "injected failure");
                return;
            }
            String auth = checkSignature(ex, bucket, key, query);
            if (auth != null) {
                drain(ex);
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
                drain(ex);
                error(ex, 404, "NoSuchBucket", "The specified bucket does not exist.");
                return;
            }
            switch (op) {
                case "PutBucket" -> {
                    createBucket(bucket);
                    empty(ex, 200);
                }
                case "PutObject" -> putObject(ex, bucket, key);
                case "CopyObject" -> copyObject(ex, bucket, key);
                case "GetObject" -> getObject(ex, bucket, key, true);
                case "HeadObject" -> getObject(ex, bucket, key, false);
                case "DeleteObject" -> {
                    release(bucket(bucket).remove(key));
                    empty(ex, 204);
                }
                case "ListObjects" -> listObjects(ex, bucket, query);
                case "InitiateMultipartUpload" -> initiate(ex, bucket, key);
                case "UploadPart" -> uploadPart(ex, query);
                case "CompleteMultipartUpload" -> complete(ex, bucket, key, query, body);
                case "AbortMultipartUpload" -> abort(ex, query);
                case "ListParts" -> listParts(ex, query);
                default ->
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

    private void putObject(HttpExchange ex, String bucket, String key) throws IOException {
        boolean flip = flipNextPut;
        StoredObject o = StoredObject.of(receive(ex.getRequestBody(), flip));
        if (flip && o.size > 0) {
            flipNextPut = false;
        }
        store(bucket, key, o);
        ex.getResponseHeaders().add("ETag", o.etag);
        ex.getResponseHeaders().add("x-oss-hash-crc64ecma", Long.toUnsignedString(o.crc64));
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
        List<Blob> linked = new ArrayList<>();
        try {
            for (Blob b : from.blobs) {
                linked.add(link(b));
            }
        } catch (NoSuchFileException e) {
            release(new StoredObject(linked, from.etag));
            error(ex, 404, "NoSuchKey", "The specified key does not exist.");
            return;
        }
        StoredObject copy = new StoredObject(linked, from.etag);
        store(bucket, key, copy);
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
        ByteRange range = null;
        if (o != null && withBody) {
            Headers h = ex.getRequestHeaders();
            range =
                    ByteRange.parse(
                            h.getFirst("Range"),
                            o.size,
                            "standard".equalsIgnoreCase(h.getFirst("x-oss-range-behavior")));
            if (range == ByteRange.UNSATISFIABLE) {
                error(ex, 416, "InvalidRange", "The requested range cannot be satisfied.");
                return;
            }
        }
        long start = range == null ? 0 : range.start();
        long count = range == null ? (o == null ? 0 : o.size) : range.length();
        List<Slice> slices = new ArrayList<>();
        try {
            if (o != null && withBody) {
                try {
                    // opened before the reply starts, so a concurrent delete cannot cut it short
                    slices = open(o.blobs, start, count);
                } catch (NoSuchFileException e) {
                    o = null; // deleted or overwritten since the lookup
                }
            }
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
            rh.add("x-oss-hash-crc64ecma", Long.toUnsignedString(o.crc64));
            rh.add("x-oss-request-id", UUID.randomUUID().toString());
            rh.add("Content-Type", "application/octet-stream");
            if (!withBody) {
                rh.add("Content-Length", Long.toString(o.size));
                ex.sendResponseHeaders(200, -1);
                return;
            }
            if (range != null) {
                rh.add(
                        "Content-Range",
                        "bytes " + range.start() + "-" + range.end() + "/" + o.size);
            }
            ex.sendResponseHeaders(range == null ? 200 : 206, count == 0 ? -1 : count);
            try (OutputStream out = ex.getResponseBody()) {
                send(slices, out);
            }
        } finally {
            for (Slice s : slices) {
                s.channel().close();
            }
        }
    }

    /** The part of one blob's file a GET sends: {@code length} bytes from {@code position}. */
    private record Slice(Path file, FileChannel channel, long position, long length) {}

    /**
     * Opens the files holding {@code count} bytes from {@code start} of the concatenated blobs, and
     * only those: a short ranged GET of an object of many parts opens one or two files.
     */
    private static List<Slice> open(List<Blob> blobs, long start, long count) throws IOException {
        List<Slice> slices = new ArrayList<>();
        long skip = start;
        try {
            for (int i = 0; i < blobs.size() && count > 0; i++) {
                Blob b = blobs.get(i);
                if (skip >= b.length()) {
                    skip -= b.length();
                    continue;
                }
                long n = Math.min(b.length() - skip, count);
                slices.add(new Slice(b.file(), FileChannel.open(b.file()), skip, n));
                skip = 0;
                count -= n;
            }
        } catch (IOException | RuntimeException e) {
            for (Slice s : slices) {
                s.channel().close();
            }
            throw e;
        }
        return slices;
    }

    private static void send(List<Slice> slices, OutputStream out) throws IOException {
        long total = slices.stream().mapToLong(Slice::length).sum();
        ByteBuffer buf = ByteBuffer.allocate((int) Math.max(1, Math.min(CHUNK, total)));
        for (Slice s : slices) {
            long position = s.position();
            long end = s.position() + s.length();
            while (position < end) {
                buf.clear().limit((int) Math.min(buf.capacity(), end - position));
                int n = s.channel().read(buf, position);
                if (n < 0) {
                    throw new IOException("file " + s.file() + " ended early");
                }
                out.write(buf.array(), 0, n);
                position += n;
            }
        }
    }

    /**
     * A {@code Range} header resolved against an object's size as OSS does ({@code end} inclusive).
     * By default OSS ignores a range it cannot satisfy exactly and sends the whole object with 200;
     * with {@code x-oss-range-behavior: standard} it caps the end at the last byte and answers a
     * start past the end with 416.
     */
    record ByteRange(long start, long end) {
        /** A range starting past the end of the object, under the standard behaviour. */
        static final ByteRange UNSATISFIABLE = new ByteRange(-1, -2);

        private static final Pattern SPEC = Pattern.compile("bytes=(\\d*)-(\\d*)");

        /** Null for the whole object with 200, else the range to send with 206. */
        static ByteRange parse(String header, long size, boolean standard) {
            Matcher m = header == null ? null : SPEC.matcher(header.trim());
            if (m == null || !m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
                return null;
            }
            try {
                if (m.group(1).isEmpty()) {
                    // bytes=-n: the last n bytes
                    long n = Long.parseLong(m.group(2));
                    if (n == 0 || (n > size && !standard)) {
                        return n == 0 && standard ? UNSATISFIABLE : null;
                    }
                    return size == 0 ? null : new ByteRange(size - Math.min(n, size), size - 1);
                }
                long start = Long.parseLong(m.group(1));
                long end = m.group(2).isEmpty() ? size - 1 : Long.parseLong(m.group(2));
                if (start >= size) {
                    return standard ? UNSATISFIABLE : null;
                }
                if (end < start) {
                    return null;
                }
                if (end >= size) {
                    return standard ? new ByteRange(start, size - 1) : null;
                }
                return new ByteRange(start, end);
            } catch (NumberFormatException e) {
                return null; // more digits than a long: not a range OSS could satisfy either
            }
        }

        long length() {
            return end - start + 1;
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
                        .append(e.getValue().size)
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

    private void uploadPart(HttpExchange ex, Map<String, String> q) throws IOException {
        Upload u = uploads.get(q.get("uploadId"));
        if (u == null) {
            drain(ex);
            error(ex, 404, "NoSuchUpload", "The specified upload does not exist.");
            return;
        }
        int number = Integer.parseInt(q.get("partNumber"));
        if (dropParts.contains(number)) {
            // what a broken proxy did in Alibaba's published JindoSDK study: 200, nothing stored
            drain(ex);
            byte[] html = "Hello World".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/html");
            ex.sendResponseHeaders(200, html.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(html);
            }
            return;
        }
        StoredObject part = StoredObject.of(receive(ex.getRequestBody(), flipParts.remove(number)));
        StoredObject replaced;
        synchronized (u) {
            if (u.closed) {
                release(part);
                error(ex, 404, "NoSuchUpload", "The specified upload does not exist.");
                return;
            }
            replaced = u.parts.put(number, part);
        }
        release(replaced);
        ex.getResponseHeaders().add("ETag", part.etag);
        ex.getResponseHeaders().add("x-oss-hash-crc64ecma", Long.toUnsignedString(part.crc64));
        empty(ex, 200);
    }

    private void complete(
            HttpExchange ex, String bucket, String key, Map<String, String> q, byte[] body)
            throws IOException {
        String id = q.get("uploadId");
        Upload u = uploads.get(id);
        if (u == null) {
            error(ex, 404, "NoSuchUpload", "The specified upload does not exist.");
            return;
        }
        Matcher m = PART.matcher(new String(body, StandardCharsets.UTF_8));
        List<Blob> blobs = new ArrayList<>();
        List<StoredObject> unused;
        int previous = 0;
        synchronized (u) {
            if (u.closed) {
                error(ex, 404, "NoSuchUpload", "The specified upload does not exist.");
                return;
            }
            Map<Integer, StoredObject> remaining = new TreeMap<>(u.parts);
            while (m.find()) {
                int number = Integer.parseInt(m.group(1));
                StoredObject part = u.parts.get(number);
                String etag = m.group(2).replace("&quot;", "\"");
                if (number <= previous) {
                    error(
                            ex,
                            400,
                            "InvalidPartOrder",
                            "The list of parts was not in ascending order.");
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
                blobs.addAll(part.blobs);
                remaining.remove(number);
            }
            // the object takes the listed parts' files over; nothing is copied
            u.closed = true;
            uploads.remove(id);
            unused = List.copyOf(remaining.values());
        }
        unused.forEach(OssTestServer::release);
        StoredObject o = new StoredObject(blobs, multipartEtag(blobs, previous));
        store(bucket, key, o);
        ex.getResponseHeaders().add("x-oss-hash-crc64ecma", Long.toUnsignedString(o.crc64));
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

    private void abort(HttpExchange ex, Map<String, String> q) throws IOException {
        Upload u = uploads.remove(q.get("uploadId"));
        if (u == null) {
            error(ex, 404, "NoSuchUpload", "The specified upload does not exist.");
            return;
        }
        List<StoredObject> parts;
        synchronized (u) {
            u.closed = true;
            parts = List.copyOf(u.parts.values());
        }
        parts.forEach(OssTestServer::release);
        empty(ex, 204);
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
                                .append(p.size)
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

    /**
     * OSS's multipart ETag: the MD5 of the parts' binary ETags, then "-" and the last part number.
     * Computed from the parts' digests, so completing an upload never reads its data.
     */
    private static String multipartEtag(List<Blob> parts, int lastPartNumber) {
        MessageDigest md5 = md5();
        parts.forEach(p -> md5.update(p.etag()));
        return "\"" + hex(md5.digest()) + "-" + lastPartNumber + "\"";
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] b) {
        return HexFormat.of().withUpperCase().formatHex(b);
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

    /** Stops the server and deletes its files. */
    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
        if (executor != null) {
            executor.shutdown();
            try {
                executor.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(OssTestServer::deleteQuietly);
        } catch (IOException e) {
            // already gone, or left for the OS to clean up
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort: a handler still running may hold the directory
        }
    }
}
