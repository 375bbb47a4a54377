package dev.ppml.oss;

import com.aliyun.oss.ClientException;
import com.aliyun.oss.OSS;
import com.aliyun.oss.OSSException;
import com.aliyun.oss.model.AbortMultipartUploadRequest;
import com.aliyun.oss.model.CompleteMultipartUploadRequest;
import com.aliyun.oss.model.CompleteMultipartUploadResult;
import com.aliyun.oss.model.GetObjectRequest;
import com.aliyun.oss.model.InitiateMultipartUploadRequest;
import com.aliyun.oss.model.ListObjectsRequest;
import com.aliyun.oss.model.ListPartsRequest;
import com.aliyun.oss.model.OSSObject;
import com.aliyun.oss.model.OSSObjectSummary;
import com.aliyun.oss.model.ObjectListing;
import com.aliyun.oss.model.ObjectMetadata;
import com.aliyun.oss.model.PartETag;
import com.aliyun.oss.model.PartListing;
import com.aliyun.oss.model.PartSummary;
import com.aliyun.oss.model.PutObjectResult;
import com.aliyun.oss.model.UploadPartRequest;
import com.aliyun.oss.model.UploadPartResult;
import java.io.FileNotFoundException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * {@link ObjectStore} on the aliyun-sdk-oss client. The SDK's own CRC check is turned off by the
 * factory: the writer verifies every part and object itself against CRC64s computed before any disk
 * buffer, which also catches what the SDK's check cannot (a part acknowledged without a CRC, a
 * corrupted local buffer). Errors keep OSS's error code and request id, never credentials.
 */
@Internal
final class AliyunObjectStore implements ObjectStore {
    private final OSS client;
    private final String bucket;

    AliyunObjectStore(OSS client, String bucket) {
        this.client = client;
        this.bucket = bucket;
    }

    @Override
    public String bucket() {
        return bucket;
    }

    @Override
    public String initiateMultipartUpload(String key) throws IOException {
        return call(
                "initiate upload of " + key,
                () ->
                        client.initiateMultipartUpload(
                                        new InitiateMultipartUploadRequest(bucket, key))
                                .getUploadId());
    }

    @Override
    public Ack uploadPart(
            String key, String uploadId, int partNumber, InputStream data, long length)
            throws IOException {
        UploadPartRequest request =
                new UploadPartRequest(bucket, key, uploadId, partNumber, data, length);
        UploadPartResult result =
                call("upload part " + partNumber + " of " + key, () -> client.uploadPart(request));
        PartETag tag = result.getPartETag();
        return new Ack(tag == null ? null : tag.getETag(), result.getServerCRC());
    }

    @Override
    public Ack completeMultipartUpload(String key, String uploadId, List<PartInfo> parts)
            throws IOException {
        List<PartETag> tags = new ArrayList<>(parts.size());
        for (PartInfo p : parts) {
            tags.add(new PartETag(p.number, p.etag, p.size, null));
        }
        try {
            CompleteMultipartUploadResult r =
                    client.completeMultipartUpload(
                            new CompleteMultipartUploadRequest(bucket, key, uploadId, tags));
            return new Ack(r.getETag(), r.getServerCRC());
        } catch (OSSException e) {
            if ("NoSuchUpload".equals(e.getErrorCode())) {
                throw new NoSuchUploadException(describe("complete upload of " + key, e));
            }
            throw new IOException(describe("complete upload of " + key, e), e);
        } catch (ClientException e) {
            throw new IOException(describe("complete upload of " + key, e), e);
        }
    }

    @Override
    public void abortMultipartUpload(String key, String uploadId) throws IOException {
        call(
                "abort upload of " + key,
                () -> {
                    client.abortMultipartUpload(
                            new AbortMultipartUploadRequest(bucket, key, uploadId));
                    return null;
                });
    }

    @Override
    public Optional<List<PartInfo>> listParts(String key, String uploadId) throws IOException {
        List<PartInfo> parts = new ArrayList<>();
        Integer marker = null;
        while (true) {
            ListPartsRequest request = new ListPartsRequest(bucket, key, uploadId);
            request.setPartNumberMarker(marker);
            PartListing listing;
            try {
                listing = client.listParts(request);
            } catch (OSSException e) {
                if ("NoSuchUpload".equals(e.getErrorCode())) {
                    return Optional.empty();
                }
                throw new IOException(describe("list parts of " + key, e), e);
            } catch (ClientException e) {
                throw new IOException(describe("list parts of " + key, e), e);
            }
            for (PartSummary s : listing.getParts()) {
                parts.add(new PartInfo(s.getPartNumber(), s.getETag(), s.getSize()));
            }
            if (!listing.isTruncated()) {
                return Optional.of(parts);
            }
            marker = listing.getNextPartNumberMarker();
        }
    }

    @Override
    public Ack putObject(String key, InputStream data, long length) throws IOException {
        ObjectMetadata meta = new ObjectMetadata();
        meta.setContentLength(length);
        PutObjectResult r = call("put " + key, () -> client.putObject(bucket, key, data, meta));
        return new Ack(r.getETag(), r.getServerCRC());
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws IOException {
        try {
            ObjectMetadata m = client.getObjectMetadata(bucket, key);
            return Optional.of(
                    new ObjectInfo(
                            key,
                            m.getContentLength(),
                            m.getServerCRC(),
                            m.getLastModified() == null ? 0 : m.getLastModified().getTime()));
        } catch (OSSException e) {
            if ("NoSuchKey".equals(e.getErrorCode()) || e.getErrorCode() == null) {
                return Optional.empty();
            }
            throw new IOException(describe("head " + key, e), e);
        } catch (ClientException e) {
            throw new IOException(describe("head " + key, e), e);
        }
    }

    @Override
    public InputStream get(String key, long start, long end) throws IOException {
        if (end <= start) {
            return InputStream.nullInputStream();
        }
        GetObjectRequest request = new GetObjectRequest(bucket, key);
        request.setRange(start, end - 1);
        OSSObject object;
        try {
            object = client.getObject(request);
        } catch (OSSException | ClientException e) {
            throw failure("get", key, e);
        }
        return new RangeStream(object, end - start);
    }

    /**
     * An object's content that, closed with much of its range unread, aborts the connection instead
     * of letting the HTTP client download the rest to reuse it (a header read or a seek would
     * otherwise fetch the whole remaining object).
     */
    private static final class RangeStream extends FilterInputStream {
        /** Up to this many unread bytes are drained on close, keeping the connection. */
        static final long DRAIN_LIMIT = 64 * 1024;

        private final OSSObject object;
        private long remaining;

        RangeStream(OSSObject object, long length) {
            super(object.getObjectContent());
            this.object = object;
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            remaining -= skipped;
            return skipped;
        }

        @Override
        public void close() throws IOException {
            if (remaining > DRAIN_LIMIT) {
                object.forcedClose();
            } else {
                object.close();
            }
        }
    }

    @Override
    public void delete(String key) throws IOException {
        try {
            client.deleteObject(bucket, key);
        } catch (OSSException | ClientException e) {
            throw failure("delete", key, e);
        }
    }

    /** A {@link FileNotFoundException} if the service says NoSuchKey, else an IOException. */
    private IOException failure(String operation, String key, RuntimeException e) {
        if (e instanceof OSSException && "NoSuchKey".equals(((OSSException) e).getErrorCode())) {
            return new FileNotFoundException("oss://" + bucket + "/" + key + " does not exist");
        }
        return new IOException(describe(operation + " " + key, e), e);
    }

    @Override
    public Listing list(String prefix, @Nullable String delimiter) throws IOException {
        List<ObjectInfo> objects = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        String marker = null;
        while (true) {
            ListObjectsRequest request = new ListObjectsRequest(bucket);
            request.setPrefix(prefix);
            request.setDelimiter(delimiter);
            request.setMarker(marker);
            request.setMaxKeys(1000);
            ObjectListing listing = call("list " + prefix, () -> client.listObjects(request));
            for (OSSObjectSummary s : listing.getObjectSummaries()) {
                objects.add(
                        new ObjectInfo(
                                s.getKey(),
                                s.getSize(),
                                null,
                                s.getLastModified() == null ? 0 : s.getLastModified().getTime()));
            }
            prefixes.addAll(listing.getCommonPrefixes());
            if (!listing.isTruncated()) {
                return new Listing(objects, prefixes);
            }
            marker = listing.getNextMarker();
        }
    }

    @Override
    public void copy(String sourceKey, String targetKey) throws IOException {
        call(
                "copy " + sourceKey + " to " + targetKey,
                () -> client.copyObject(bucket, sourceKey, bucket, targetKey));
    }

    @Override
    public void close() {
        // the client is shared by the file system and shut down with it
    }

    private interface Call<T> {
        T run();
    }

    private <T> T call(String what, Call<T> call) throws IOException {
        try {
            return call.run();
        } catch (OSSException | ClientException e) {
            throw new IOException(describe(what, e), e);
        }
    }

    private String describe(String what, Exception e) {
        if (e instanceof OSSException) {
            OSSException o = (OSSException) e;
            return String.format(
                    "OSS refused to %s in bucket %s: %s (%s, request %s)",
                    what, bucket, o.getErrorCode(), o.getErrorMessage(), o.getRequestId());
        }
        return String.format(
                "OSS request to %s in bucket %s failed: %s",
                what, bucket, ((ClientException) e).getErrorMessage());
    }
}
