package dev.ppml.jobs;

import java.io.File;
import java.io.IOException;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/** Path handling shared by the jobs: local paths become absolute file URIs. */
public final class JobPaths {
    private JobPaths() {}

    /** A Flink path for {@code location}: URIs as given, plain paths as absolute local files. */
    public static Path of(String location) {
        if (location.contains("://")) {
            return new Path(location);
        }
        return new Path(new File(location).getAbsoluteFile().toURI());
    }

    /**
     * Fails unless {@code dir} is absent or empty, so a job never mixes its output with an earlier
     * run's files.
     */
    public static void requireEmptyOutput(Path dir) throws IOException {
        FileSystem fs = dir.getFileSystem();
        if (!fs.exists(dir)) {
            return;
        }
        FileStatus[] entries = fs.listStatus(dir);
        if (entries != null && entries.length > 0) {
            throw new OutputNotEmptyException(dir, entries.length);
        }
    }

    /**
     * Fails if {@code file} is a directory: a job that writes one file never writes into, over or
     * instead of a directory.
     */
    public static void requireFileOutput(Path file) throws IOException {
        FileSystem fs = file.getFileSystem();
        if (fs.exists(file) && fs.getFileStatus(file).isDir()) {
            throw new OutputIsDirectoryException(file);
        }
    }

    /** Creates {@code dir} (and its parents) unless it exists. */
    public static void createDirectoryIfAbsent(Path dir) throws IOException {
        FileSystem fs = dir.getFileSystem();
        if (!fs.exists(dir) && !fs.mkdirs(dir)) {
            throw new IOException("could not create the output directory " + dir);
        }
    }

    /** A job's output directory holds files already; the job writes nothing there. */
    public static final class OutputNotEmptyException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        OutputNotEmptyException(Path dir, int entries) {
            super(
                    String.format(
                            "output directory %s is not empty (%d entries); remove it or choose"
                                    + " another output directory",
                            dir, entries));
        }
    }

    /** A job that writes one file was given a directory as its output. */
    public static final class OutputIsDirectoryException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        OutputIsDirectoryException(Path file) {
            super(
                    String.format(
                            "output %s is a directory, but this job writes one file; name a"
                                    + " file instead, e.g. %s",
                            file, new Path(file, "decrypted.csv")));
        }
    }

    /** The total size of the visible files under {@code dir} (or of the file itself). */
    public static long totalSize(Path path) throws IOException {
        FileSystem fs = path.getFileSystem();
        FileStatus status = fs.getFileStatus(path);
        if (!status.isDir()) {
            return status.getLen();
        }
        long total = 0;
        for (FileStatus child : fs.listStatus(path)) {
            String name = child.getPath().getName();
            if (!name.startsWith(".") && !name.startsWith("_")) {
                total += totalSize(child.getPath());
            }
        }
        return total;
    }
}
