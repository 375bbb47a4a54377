package dev.ppml.oss;

import dev.ppml.oss.writer.OssRecoverableWriter;
import dev.ppml.oss.writer.OssWriterConfig;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.fs.BlockLocation;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.RecoverableFsDataOutputStream;
import org.apache.flink.core.fs.RecoverableWriter;

/**
 * Flink's view of one OSS bucket as {@code oss://bucket/...}. Writes — the recoverable writer of
 * {@code FileSink} and plain {@link #create} used by checkpoint storage — are multipart uploads
 * whose parts and completed object are CRC64-verified.
 *
 * <p>Restrictions: directories are key prefixes, and {@link #mkdirs} writes an empty marker object
 * {@code dir/} so that a new directory exists before anything is written below it; {@link #rename}
 * copies then deletes, so it is not atomic and its cost grows with the data (Flink's FileSink does
 * not rename on object stores).
 */
@Internal
public final class OssFileSystem extends FileSystem {

    private final URI uri;
    private final ObjectStore store;
    private final OssRecoverableWriter writer;

    OssFileSystem(URI uri, ObjectStore store, OssWriterConfig config) {
        this.uri = uri;
        this.store = store;
        this.writer =
                new OssRecoverableWriter(bucket -> checkBucket(bucket), config, store.bucket());
    }

    /** A path of this bucket; a scheme-less path ({@code /dir/file}) is a key of this bucket. */
    private OssPath path(Path f) {
        return OssPath.of(f, store.bucket());
    }

    private ObjectStore checkBucket(String bucket) throws IOException {
        if (!bucket.equals(store.bucket())) {
            throw new IOException(
                    "path in bucket " + bucket + " given to the file system of " + uri);
        }
        return store;
    }

    @Override
    public Path getWorkingDirectory() {
        return new Path(uri);
    }

    @Override
    public Path getHomeDirectory() {
        return new Path(uri);
    }

    @Override
    public URI getUri() {
        return uri;
    }

    @Override
    public FileStatus getFileStatus(Path f) throws IOException {
        OssPath p = path(f);
        if (p.key().isEmpty()) {
            return OssFileStatus.directory(f);
        }
        if (!p.key().endsWith("/")) {
            Optional<ObjectStore.ObjectInfo> info = store.head(p.key());
            if (info.isPresent()) {
                return OssFileStatus.file(f, info.get().size, info.get().lastModifiedMillis);
            }
        }
        ObjectStore.Listing children = store.list(p.dirPrefix(), "/");
        if (!children.objects.isEmpty() || !children.prefixes.isEmpty()) {
            return OssFileStatus.directory(f);
        }
        throw new FileNotFoundException(f + " does not exist");
    }

    @Override
    public BlockLocation[] getFileBlockLocations(FileStatus file, long start, long len) {
        return new BlockLocation[] {new OssFileStatus.Location(file.getLen())};
    }

    @Override
    public FSDataInputStream open(Path f, int bufferSize) throws IOException {
        return open(f);
    }

    @Override
    public FSDataInputStream open(Path f) throws IOException {
        OssPath p = path(f);
        ObjectStore.ObjectInfo info =
                store.head(p.key())
                        .orElseThrow(() -> new FileNotFoundException(f + " does not exist"));
        return new OssInputStream(store, p.key(), info.size);
    }

    @Override
    public FileStatus[] listStatus(Path f) throws IOException {
        OssPath p = path(f);
        if (!p.key().isEmpty() && !p.key().endsWith("/")) {
            Optional<ObjectStore.ObjectInfo> file = store.head(p.key());
            if (file.isPresent()) {
                return new FileStatus[] {
                    OssFileStatus.file(f, file.get().size, file.get().lastModifiedMillis)
                };
            }
        }
        ObjectStore.Listing listing = store.list(p.dirPrefix(), "/");
        List<FileStatus> result = new ArrayList<>();
        for (ObjectStore.ObjectInfo o : listing.objects) {
            if (!o.key.equals(p.dirPrefix())) {
                result.add(OssFileStatus.file(child(o.key), o.size, o.lastModifiedMillis));
            }
        }
        for (String prefix : listing.prefixes) {
            result.add(OssFileStatus.directory(child(prefix)));
        }
        return result.toArray(new FileStatus[0]);
    }

    private Path child(String key) {
        String k = key.endsWith("/") ? key.substring(0, key.length() - 1) : key;
        return new Path("oss://" + store.bucket() + "/" + k);
    }

    @Override
    public boolean delete(Path f, boolean recursive) throws IOException {
        OssPath p = path(f);
        if (!p.key().isEmpty() && store.head(p.key()).isPresent()) {
            store.delete(p.key());
            return true;
        }
        ObjectStore.Listing all = store.list(p.dirPrefix(), null);
        if (all.objects.isEmpty()) {
            return false;
        }
        boolean onlyMarker =
                all.objects.size() == 1 && all.objects.get(0).key.equals(p.dirPrefix());
        if (!recursive && !onlyMarker) {
            throw new IOException(
                    "cannot delete " + f + ": it is a non-empty directory and recursive is false");
        }
        for (ObjectStore.ObjectInfo o : all.objects) {
            store.delete(o.key);
        }
        return true;
    }

    /**
     * Makes {@code f} an (empty) directory: an empty marker object {@code key/}, as Hadoop's OSS
     * and S3 connectors write, so that {@link #exists} is true right away — {@code
     * FileSystem.initOutPathDistFS}, which {@code FileOutputFormat} uses for directory outputs,
     * checks exactly that. Parents need no marker: they exist as prefixes of the marker's key.
     */
    @Override
    public boolean mkdirs(Path f) throws IOException {
        OssPath p = path(f);
        if (p.key().isEmpty()) {
            return true;
        }
        if (!p.key().endsWith("/") && store.head(p.key()).isPresent()) {
            throw new IOException("cannot make directory " + f + ": it is a file");
        }
        store.putObject(p.dirPrefix(), InputStream.nullInputStream(), 0);
        return true;
    }

    @Override
    public FSDataOutputStream create(Path f, WriteMode overwrite) throws IOException {
        OssPath p = path(f);
        if (overwrite == WriteMode.NO_OVERWRITE && store.head(p.key()).isPresent()) {
            throw new IOException(f + " already exists and the write mode is NO_OVERWRITE");
        }
        RecoverableFsDataOutputStream out = writer.open(f);
        return new FSDataOutputStream() {
            private boolean closed;

            @Override
            public long getPos() throws IOException {
                return out.getPos();
            }

            @Override
            public void write(int b) throws IOException {
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                out.flush();
            }

            @Override
            public void sync() throws IOException {
                out.sync();
            }

            /** Completes the upload, verified; the object exists only if this returns. */
            @Override
            public void close() throws IOException {
                if (!closed) {
                    closed = true;
                    out.closeForCommit().commit();
                }
            }
        };
    }

    /**
     * Copies {@code src} (a file, or every object under a directory) to {@code dst}, then deletes
     * the source: not atomic.
     */
    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        OssPath from = path(src);
        OssPath to = path(dst);
        if (store.head(from.key()).isPresent()) {
            store.copy(from.key(), to.key());
            store.delete(from.key());
            return true;
        }
        ObjectStore.Listing all = store.list(from.dirPrefix(), null);
        if (all.objects.isEmpty()) {
            return false;
        }
        for (ObjectStore.ObjectInfo o : all.objects) {
            store.copy(o.key, to.dirPrefix() + o.key.substring(from.dirPrefix().length()));
        }
        for (ObjectStore.ObjectInfo o : all.objects) {
            store.delete(o.key);
        }
        return true;
    }

    @Override
    public boolean isDistributedFS() {
        return true;
    }

    @Override
    public RecoverableWriter createRecoverableWriter() {
        return writer;
    }

    @Override
    public String toString() {
        return "OssFileSystem{" + uri + "}";
    }
}
