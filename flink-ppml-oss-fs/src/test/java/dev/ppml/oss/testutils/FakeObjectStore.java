package dev.ppml.oss.testutils;

import dev.ppml.oss.Crc64;
import dev.ppml.oss.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory {@link ObjectStore} for unit tests of the writer's logic, with the faults the writer
 * must survive. (The SDK-level behaviour is tested against the OSS test server.)
 */
public final class FakeObjectStore implements ObjectStore {
    public final Map<String, byte[]> objects = new ConcurrentHashMap<>();
    public final Map<String, Map<Integer, byte[]>> uploads = new ConcurrentHashMap<>();
    public final Map<String, String> uploadKeys = new ConcurrentHashMap<>();
    public final AtomicInteger completeCalls = new AtomicInteger();
    public final AtomicInteger uploadPartCalls = new AtomicInteger();
    public final AtomicInteger headCalls = new AtomicInteger();

    /** Whether CompleteMultipartUpload answers with the object's CRC64, as OSS does. */
    public volatile boolean crcInCompleteResponse = true;

    /** Part numbers whose next upload has a bit flipped "on the wire". */
    public final Set<Integer> flipNext = ConcurrentHashMap.newKeySet();

    /** Part numbers acknowledged without being stored, every time. */
    public final Set<Integer> dropAlways = ConcurrentHashMap.newKeySet();

    /** Deletes that fail with an IOException before this many succeed again. */
    public final AtomicInteger failNextDeletes = new AtomicInteger();

    /** Flip a bit of the object when completing. */
    public volatile boolean corruptOnComplete;

    @Override
    public String bucket() {
        return "bucket";
    }

    @Override
    public String initiateMultipartUpload(String key) {
        String id = UUID.randomUUID().toString();
        uploads.put(id, new ConcurrentSkipListMap<>());
        uploadKeys.put(id, key);
        return id;
    }

    @Override
    public Ack uploadPart(
            String key, String uploadId, int partNumber, InputStream data, long length)
            throws IOException {
        uploadPartCalls.incrementAndGet();
        byte[] bytes = data.readAllBytes();
        if (bytes.length != length) {
            throw new IOException("length mismatch");
        }
        if (dropAlways.contains(partNumber)) {
            return new Ack(null, null);
        }
        if (flipNext.remove(partNumber) && bytes.length > 0) {
            bytes[bytes.length / 2] ^= 0x10;
        }
        Map<Integer, byte[]> parts = uploads.get(uploadId);
        if (parts == null) {
            throw new IOException("NoSuchUpload");
        }
        parts.put(partNumber, bytes);
        return new Ack(
                "etag-" + partNumber + "-" + Arrays.hashCode(bytes),
                Crc64.of(bytes, 0, bytes.length));
    }

    @Override
    public Ack completeMultipartUpload(String key, String uploadId, List<PartInfo> parts)
            throws IOException {
        completeCalls.incrementAndGet();
        Map<Integer, byte[]> stored = uploads.remove(uploadId);
        if (stored == null) {
            throw new NoSuchUploadException("NoSuchUpload " + uploadId);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (PartInfo p : parts) {
            byte[] b = stored.get(p.number);
            if (b == null || !("etag-" + p.number + "-" + Arrays.hashCode(b)).equals(p.etag)) {
                throw new IOException("InvalidPart " + p.number);
            }
            out.writeBytes(b);
        }
        byte[] object = out.toByteArray();
        if (corruptOnComplete && object.length > 0) {
            object[0] ^= 1;
        }
        objects.put(key, object);
        return new Ack(
                "etag-object", crcInCompleteResponse ? Crc64.of(object, 0, object.length) : null);
    }

    @Override
    public void abortMultipartUpload(String key, String uploadId) {
        uploads.remove(uploadId);
    }

    @Override
    public Optional<List<PartInfo>> listParts(String key, String uploadId) {
        Map<Integer, byte[]> parts = uploads.get(uploadId);
        if (parts == null) {
            return Optional.empty();
        }
        List<PartInfo> out = new ArrayList<>();
        parts.forEach(
                (n, b) ->
                        out.add(new PartInfo(n, "etag-" + n + "-" + Arrays.hashCode(b), b.length)));
        return Optional.of(out);
    }

    @Override
    public Ack putObject(String key, InputStream data, long length) throws IOException {
        byte[] b = data.readAllBytes();
        objects.put(key, b);
        return new Ack("etag", Crc64.of(b, 0, b.length));
    }

    @Override
    public Optional<ObjectInfo> head(String key) {
        headCalls.incrementAndGet();
        byte[] b = objects.get(key);
        return b == null
                ? Optional.empty()
                : Optional.of(new ObjectInfo(key, b.length, Crc64.of(b, 0, b.length), 0));
    }

    @Override
    public InputStream get(String key, long start, long end) throws IOException {
        byte[] b = objects.get(key);
        if (b == null) {
            throw new IOException("NoSuchKey " + key);
        }
        return new ByteArrayInputStream(b, (int) start, (int) (Math.min(end, b.length) - start));
    }

    @Override
    public void delete(String key) throws IOException {
        if (failNextDeletes.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new IOException("injected delete failure of " + key);
        }
        objects.remove(key);
    }

    @Override
    public Listing list(String prefix, String delimiter) {
        List<ObjectInfo> found = new ArrayList<>();
        TreeSet<String> prefixes = new TreeSet<>();
        new TreeMap<>(objects)
                .forEach(
                        (k, b) -> {
                            if (!k.startsWith(prefix)) {
                                return;
                            }
                            int d = delimiter == null ? -1 : k.indexOf(delimiter, prefix.length());
                            if (d >= 0) {
                                prefixes.add(k.substring(0, d + 1));
                            } else {
                                found.add(new ObjectInfo(k, b.length, null, 0));
                            }
                        });
        return new Listing(found, new ArrayList<>(prefixes));
    }

    @Override
    public void copy(String sourceKey, String targetKey) {
        objects.put(targetKey, objects.get(sourceKey).clone());
    }

    @Override
    public void close() {}
}
