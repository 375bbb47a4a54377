package dev.ppml.oss;

import org.apache.flink.annotation.Internal;
import org.apache.flink.core.fs.BlockLocation;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.Path;

/** File status of an object or a key prefix. */
@Internal
final class OssFileStatus implements FileStatus {
    private final Path path;
    private final long length;
    private final long modified;
    private final boolean dir;

    private OssFileStatus(Path path, long length, long modified, boolean dir) {
        this.path = path;
        this.length = length;
        this.modified = modified;
        this.dir = dir;
    }

    static OssFileStatus file(Path path, long length, long modified) {
        return new OssFileStatus(path, length, modified, false);
    }

    static OssFileStatus directory(Path path) {
        return new OssFileStatus(path, 0, 0, true);
    }

    @Override
    public long getLen() {
        return length;
    }

    @Override
    public long getBlockSize() {
        return length;
    }

    @Override
    public short getReplication() {
        return 1;
    }

    @Override
    public long getModificationTime() {
        return modified;
    }

    @Override
    public long getAccessTime() {
        return 0;
    }

    @Override
    public boolean isDir() {
        return dir;
    }

    @Override
    public Path getPath() {
        return path;
    }

    /** Objects have no meaningful hosts. */
    static final class Location implements BlockLocation {
        private final long length;

        Location(long length) {
            this.length = length;
        }

        @Override
        public String[] getHosts() {
            return new String[] {"localhost"};
        }

        @Override
        public long getOffset() {
            return 0;
        }

        @Override
        public long getLength() {
            return length;
        }

        @Override
        public int compareTo(BlockLocation o) {
            return Long.compare(getOffset(), o.getOffset());
        }
    }
}
