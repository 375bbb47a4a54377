package dev.ppml.oss;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * The object-store operations the {@code oss://} file system and its recoverable writer use, one
 * bucket at a time. {@link AliyunObjectStore} implements them on aliyun-sdk-oss; tests use fakes
 * with fault injection. CRC64 values are CRC-64/XZ as OSS computes them ({@code
 * x-oss-hash-crc64ecma}); {@code null} means the service did not send one.
 */
@Internal
public interface ObjectStore extends AutoCloseable {

    /** An uploaded part or object as the service acknowledged it. */
    final class Ack {
        @Nullable public final String etag;
        @Nullable public final Long crc64;

        public Ack(@Nullable String etag, @Nullable Long crc64) {
            this.etag = etag;
            this.crc64 = crc64;
        }
    }

    /** An object's size and CRC64 (null when the service has none). */
    final class ObjectInfo {
        public final String key;
        public final long size;
        @Nullable public final Long crc64;
        public final long lastModifiedMillis;

        public ObjectInfo(String key, long size, @Nullable Long crc64, long lastModifiedMillis) {
            this.key = key;
            this.size = size;
            this.crc64 = crc64;
            this.lastModifiedMillis = lastModifiedMillis;
        }
    }

    /** A listing: objects and common prefixes ("directories") directly under a prefix. */
    final class Listing {
        public final List<ObjectInfo> objects;
        public final List<String> prefixes;

        public Listing(List<ObjectInfo> objects, List<String> prefixes) {
            this.objects = objects;
            this.prefixes = prefixes;
        }
    }

    /** A part recorded by the service for an upload in progress. */
    final class PartInfo {
        public final int number;
        @Nullable public final String etag;
        public final long size;

        public PartInfo(int number, @Nullable String etag, long size) {
            this.number = number;
            this.etag = etag;
            this.size = size;
        }
    }

    String bucket();

    String initiateMultipartUpload(String key) throws IOException;

    Ack uploadPart(String key, String uploadId, int partNumber, InputStream data, long length)
            throws IOException;

    /**
     * Completes an upload from the given parts (number and ETag, in order).
     *
     * @throws NoSuchUploadException if the upload does not exist (completed, aborted or expired)
     */
    Ack completeMultipartUpload(String key, String uploadId, List<PartInfo> parts)
            throws IOException;

    void abortMultipartUpload(String key, String uploadId) throws IOException;

    /** The parts the service holds for an upload; empty if the upload does not exist. */
    Optional<List<PartInfo>> listParts(String key, String uploadId) throws IOException;

    Ack putObject(String key, InputStream data, long length) throws IOException;

    Optional<ObjectInfo> head(String key) throws IOException;

    /** The bytes {@code [start, end)} of an object. */
    InputStream get(String key, long start, long end) throws IOException;

    /**
     * Deletes an object. Deleting a missing object is no error on OSS (it answers 204); an endpoint
     * that says NoSuchKey instead makes this throw {@link java.io.FileNotFoundException}.
     */
    void delete(String key) throws IOException;

    Listing list(String prefix, @Nullable String delimiter) throws IOException;

    void copy(String sourceKey, String targetKey) throws IOException;

    @Override
    void close();

    /** The upload named in a completion does not exist (any more). */
    final class NoSuchUploadException extends IOException {
        private static final long serialVersionUID = 1L;

        public NoSuchUploadException(String message) {
            super(message);
        }
    }
}
