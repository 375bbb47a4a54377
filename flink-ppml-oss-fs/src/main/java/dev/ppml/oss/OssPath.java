package dev.ppml.oss;

import java.net.URI;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.fs.Path;

/** An {@code oss://bucket/key} path split into bucket and key (no leading slash). */
@Internal
public final class OssPath {
    private final String bucket;
    private final String key;

    private OssPath(String bucket, String key) {
        this.bucket = bucket;
        this.key = key;
    }

    public static OssPath of(Path path) {
        URI uri = path.toUri();
        if (!"oss".equals(uri.getScheme()) || uri.getAuthority() == null) {
            throw new IllegalArgumentException(
                    "not an oss:// path with a bucket: '" + path + "'; expected oss://bucket/key");
        }
        String key = uri.getPath() == null ? "" : uri.getPath();
        while (key.startsWith("/")) {
            key = key.substring(1);
        }
        return new OssPath(uri.getAuthority(), key);
    }

    public String bucket() {
        return bucket;
    }

    public String key() {
        return key;
    }

    /** The key as a directory prefix: empty for the bucket root, else ending with '/'. */
    public String dirPrefix() {
        return key.isEmpty() || key.endsWith("/") ? key : key + "/";
    }
}
