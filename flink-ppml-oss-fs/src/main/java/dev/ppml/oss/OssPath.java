package dev.ppml.oss;

import java.net.URI;
import javax.annotation.Nullable;
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
        return of(path, null);
    }

    /**
     * Like {@link #of(Path)}, but a path without scheme and bucket ({@code /dir/file}, as Flink
     * code builds from object keys) names a key in {@code defaultBucket}, the way a scheme-less
     * path resolves against the file system it is given to.
     */
    public static OssPath of(Path path, @Nullable String defaultBucket) {
        URI uri = path.toUri();
        if (defaultBucket != null && uri.getScheme() == null && uri.getAuthority() == null) {
            return new OssPath(defaultBucket, stripSlashes(uri.getPath()));
        }
        if (!"oss".equals(uri.getScheme()) || uri.getAuthority() == null) {
            throw new IllegalArgumentException(
                    "not an oss:// path with a bucket: '" + path + "'; expected oss://bucket/key");
        }
        return new OssPath(uri.getAuthority(), stripSlashes(uri.getPath()));
    }

    private static String stripSlashes(@Nullable String path) {
        String key = path == null ? "" : path;
        while (key.startsWith("/")) {
            key = key.substring(1);
        }
        return key;
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
