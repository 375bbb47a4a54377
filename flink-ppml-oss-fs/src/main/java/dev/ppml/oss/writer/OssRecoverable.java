package dev.ppml.oss.writer;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.ppml.oss.Crc64;
import java.util.List;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.fs.RecoverableWriter;

/**
 * The recoverable state of an {@code oss://} file being written: where it goes, its multipart
 * upload, every uploaded part with its ETag, size and CRC64, the in-progress tail persisted as a
 * temporary object (resume only), and the size and CRC64 the finished object must have.
 *
 * <p>Unlike Flink's own OSS writer, part sizes and CRCs survive checkpoints, so a commit after
 * recovery can still verify every byte.
 */
@Internal
public final class OssRecoverable
        implements RecoverableWriter.CommitRecoverable, RecoverableWriter.ResumeRecoverable {

    /** One uploaded part. */
    public static final class Part {
        public final int number;
        public final String etag;
        public final long size;
        public final long crc64;

        public Part(int number, String etag, long size, long crc64) {
            this.number = number;
            this.etag = checkNotNull(etag);
            this.size = size;
            this.crc64 = crc64;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Part)) {
                return false;
            }
            Part p = (Part) o;
            return number == p.number && size == p.size && crc64 == p.crc64 && etag.equals(p.etag);
        }

        @Override
        public int hashCode() {
            return Objects.hash(number, etag, size, crc64);
        }
    }

    private final String bucket;
    private final String key;
    private final String uploadId;
    private final List<Part> parts;
    @Nullable private final String tailKey;
    private final long tailSize;
    private final long tailCrc64;
    private final long totalSize;
    private final long expectedCrc64;

    public OssRecoverable(
            String bucket,
            String key,
            String uploadId,
            List<Part> parts,
            @Nullable String tailKey,
            long tailSize,
            long tailCrc64,
            long totalSize,
            long expectedCrc64) {
        this.bucket = checkNotNull(bucket);
        this.key = checkNotNull(key);
        this.uploadId = checkNotNull(uploadId);
        this.parts = List.copyOf(parts);
        this.tailKey = tailKey;
        this.tailSize = tailSize;
        this.tailCrc64 = tailCrc64;
        this.totalSize = totalSize;
        this.expectedCrc64 = expectedCrc64;
        checkArgument(tailKey != null || tailSize == 0, "a tail size without a tail object");
        long sum = tailSize;
        long crc = 0;
        for (Part p : parts) {
            sum += p.size;
            crc = Crc64.combine(crc, p.crc64, p.size);
        }
        crc = Crc64.combine(crc, tailCrc64, tailSize);
        checkArgument(
                sum == totalSize,
                "corrupt recoverable of oss://%s/%s: parts and tail add up to %s bytes, not %s",
                bucket,
                key,
                sum,
                totalSize);
        checkArgument(
                crc == expectedCrc64,
                "corrupt recoverable of oss://%s/%s: part CRCs combine to %s, not %s",
                bucket,
                key,
                Long.toUnsignedString(crc),
                Long.toUnsignedString(expectedCrc64));
    }

    public String bucket() {
        return bucket;
    }

    public String key() {
        return key;
    }

    public String uploadId() {
        return uploadId;
    }

    public List<Part> parts() {
        return parts;
    }

    @Nullable
    public String tailKey() {
        return tailKey;
    }

    public long tailSize() {
        return tailSize;
    }

    public long tailCrc64() {
        return tailCrc64;
    }

    public long totalSize() {
        return totalSize;
    }

    public long expectedCrc64() {
        return expectedCrc64;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof OssRecoverable)) {
            return false;
        }
        OssRecoverable r = (OssRecoverable) o;
        return bucket.equals(r.bucket)
                && key.equals(r.key)
                && uploadId.equals(r.uploadId)
                && parts.equals(r.parts)
                && Objects.equals(tailKey, r.tailKey)
                && tailSize == r.tailSize
                && tailCrc64 == r.tailCrc64
                && totalSize == r.totalSize
                && expectedCrc64 == r.expectedCrc64;
    }

    @Override
    public int hashCode() {
        return Objects.hash(bucket, key, uploadId, parts, tailKey, totalSize, expectedCrc64);
    }

    @Override
    public String toString() {
        return String.format(
                "OssRecoverable{oss://%s/%s, upload=%s, parts=%d, tail=%s (%d bytes), size=%d,"
                        + " crc64=%s}",
                bucket,
                key,
                uploadId,
                parts.size(),
                tailKey,
                tailSize,
                totalSize,
                Long.toUnsignedString(expectedCrc64));
    }
}
