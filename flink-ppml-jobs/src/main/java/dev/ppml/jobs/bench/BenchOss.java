package dev.ppml.jobs.bench;

import dev.ppml.connector.format.PpmlFiles;
import dev.ppml.connector.keys.MasterKey;
import dev.ppml.oss.OssFileSystemFactory;
import dev.ppml.oss.OssOptions;
import dev.ppml.oss.testing.OssTestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemFactory;
import org.apache.flink.core.fs.PluginFileSystemFactory;
import org.apache.flink.core.plugin.DefaultPluginManager;
import org.apache.flink.core.plugin.DirectoryBasedPluginFinder;
import org.apache.flink.core.plugin.PluginManager;
import org.apache.flink.util.WrappingProxy;

/**
 * The OSS test server in this process, with two clients of it: our {@code oss://} file system on
 * bucket {@value #PPML_BUCKET} and Flink's own OSS plugin ({@code flink-oss-fs-hadoop}, loaded in
 * isolation through a plugin manager, as a cluster loads it) on bucket {@value #FLINK_BUCKET}. Both
 * use parts of {@value #PART_SIZE} bytes (the least Flink's plugin accepts) and upload {@value
 * #CONCURRENCY} parts of a file at a time.
 */
final class BenchOss implements AutoCloseable {
    /** The system property naming the plugins directory that holds Flink's OSS plugin. */
    static final String PLUGINS_PROPERTY = "ppml.bench.flink-plugins";

    static final String PPML_BUCKET = "bench-ppml";
    static final String FLINK_BUCKET = "bench-flink";
    static final int PART_SIZE = 10 << 20;
    static final int CONCURRENCY = 4;

    /** The metric of the process CPU time over the elapsed time of a run. */
    static final String CORES_BUSY = "cores busy";

    /** The metric of how busy all the machine's CPUs were during a run, in percent. */
    static final String MACHINE_BUSY = "machine cpu %";

    /** The metric of the server's share of the process CPU, in percent. */
    static final String SERVER_SHARE = "server cpu %";

    final OssTestServer server;
    private final OssFileSystemFactory ours = new OssFileSystemFactory();
    private final FileSystemFactory flink;

    private BenchOss(OssTestServer server, FileSystemFactory flink) {
        this.server = server;
        this.flink = flink;
    }

    /**
     * Starts the server, keeping its objects in {@code storage}, and configures both file systems
     * for it; Flink's plugin buffers its parts in {@code tmpDir}, as in a TaskManager's {@code
     * io.tmp.dirs}.
     */
    static BenchOss start(Path storage, Path tmpDir) throws IOException {
        FileSystemFactory flink = loadFlinkPlugin();
        OssTestServer server = OssTestServer.start(storage);
        try {
            server.createBucket(PPML_BUCKET);
            server.createBucket(FLINK_BUCKET);
            BenchOss oss = new BenchOss(server, flink);
            Configuration ours = oss.credentials();
            ours.set(OssOptions.PART_SIZE, new MemorySize(PART_SIZE));
            ours.set(OssOptions.UPLOAD_CONCURRENCY, CONCURRENCY);
            oss.ours.configure(ours);
            Configuration theirs = oss.credentials();
            theirs.setString("oss.upload.min.part.size", Integer.toString(PART_SIZE));
            theirs.setString("oss.upload.max.concurrent.uploads", Integer.toString(CONCURRENCY));
            theirs.set(CoreOptions.TMP_DIRS, Files.createDirectories(tmpDir).toString());
            flink.configure(theirs);
            return oss;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /**
     * Where the server keeps objects: in memory ({@code /dev/shm}) when it and the machine's free
     * memory have room for {@code bytes} and a GiB more, so that the figures are the writers' and
     * not this machine's disk (whose writeback throttled the server's writes to ~100 MB/s once a
     * few GiB were written); else under {@code dir}.
     */
    static Path serverStorage(Path dir, long bytes) throws IOException {
        Path shm = Path.of("/dev/shm");
        long room = bytes + (1L << 30);
        if (Files.isDirectory(shm)
                && Files.isWritable(shm)
                && Files.getFileStore(shm).getUsableSpace() > room
                && freeMemory() > room) {
            return shm;
        }
        return dir.resolve("oss-server");
    }

    /** Memory nobody uses, not even the page cache; 0 where the JVM cannot tell. */
    private static long freeMemory() {
        return ManagementFactory.getOperatingSystemMXBean()
                        instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getFreeMemorySize()
                : 0;
    }

    private Configuration credentials() {
        Configuration conf = new Configuration();
        // the same keys for both: Flink's plugin hands fs.oss.* to hadoop-aliyun
        conf.set(OssOptions.ENDPOINT, server.endpoint());
        conf.set(OssOptions.ACCESS_KEY_ID, OssTestServer.ACCESS_KEY_ID);
        conf.set(OssOptions.ACCESS_KEY_SECRET, OssTestServer.ACCESS_KEY_SECRET);
        return conf;
    }

    private static FileSystemFactory loadFlinkPlugin() throws IOException {
        String dir = System.getProperty(PLUGINS_PROPERTY);
        if (dir == null || !Files.isDirectory(Path.of(dir))) {
            throw new IllegalStateException(
                    String.format(
                            "the OSS cases compare with Flink's OSS plugin, but the system property"
                                    + " %s names no plugins directory (%s); build the jobs module,"
                                    + " which copies flink-oss-fs-hadoop to"
                                    + " flink-ppml-jobs/target/bench-plugins, and point %s there",
                            PLUGINS_PROPERTY, dir, PLUGINS_PROPERTY));
        }
        PluginManager plugins =
                new DefaultPluginManager(
                        new DirectoryBasedPluginFinder(Path.of(dir)).findPlugins(),
                        CoreOptions.getPluginParentFirstLoaderPatterns(new Configuration()));
        for (Iterator<FileSystemFactory> it = plugins.load(FileSystemFactory.class);
                it.hasNext(); ) {
            FileSystemFactory f = it.next();
            if ("oss".equals(f.getScheme())) {
                // its calls run with the plugin's class loader as the context loader, as on a
                // cluster
                return PluginFileSystemFactory.of(f);
            }
        }
        throw new IllegalStateException(
                "no plugin in " + dir + " provides the oss:// scheme (flink-oss-fs-hadoop)");
    }

    /** Our file system, on {@value #PPML_BUCKET}. */
    FileSystem ppmlFileSystem() throws IOException {
        return ours.create(URI.create("oss://" + PPML_BUCKET + "/"));
    }

    /** Flink's plugin, on {@value #FLINK_BUCKET}. */
    FileSystem flinkFileSystem() throws IOException {
        return flink.create(URI.create("oss://" + FLINK_BUCKET + "/"));
    }

    /**
     * Makes {@code oss://} paths of jobs in this JVM (the embedded cluster's) resolve by bucket: to
     * our file system on {@value #PPML_BUCKET}, to Flink's plugin on {@value #FLINK_BUCKET}. Both
     * claim the scheme, so one factory that picks by bucket is registered, above both.
     */
    void install(Configuration config) throws IOException {
        FileSystemFactory byBucket =
                new FileSystemFactory() {
                    @Override
                    public String getScheme() {
                        return "oss";
                    }

                    @Override
                    public int getPriority() {
                        return Integer.MAX_VALUE;
                    }

                    @Override
                    public FileSystem create(URI uri) throws IOException {
                        String bucket = uri.getAuthority();
                        if (PPML_BUCKET.equals(bucket)) {
                            return ours.create(uri);
                        }
                        if (FLINK_BUCKET.equals(bucket)) {
                            return flink.create(uri);
                        }
                        throw new IOException(
                                String.format(
                                        "the bench's OSS test server has buckets %s and %s, not"
                                                + " '%s'",
                                        PPML_BUCKET, FLINK_BUCKET, bucket));
                    }
                };
        FileSystem.initialize(
                config,
                new PluginManager() {
                    @Override
                    public <P> Iterator<P> load(Class<P> service) {
                        return service == FileSystemFactory.class
                                ? List.of(service.cast(byBucket)).iterator()
                                : Collections.emptyIterator();
                    }
                });
        Object fs = FileSystem.get(URI.create("oss://" + FLINK_BUCKET + "/"));
        while (fs instanceof WrappingProxy<?> proxy) {
            fs = proxy.getWrappedDelegate();
        }
        String flinkClass = fs.getClass().getName();
        if (!flinkClass.startsWith("org.apache.flink.fs.osshadoop.")) {
            throw new IllegalStateException(
                    "oss://"
                            + FLINK_BUCKET
                            + "/ resolves to "
                            + flinkClass
                            + ", not Flink's plugin");
        }
    }

    /** Deletes every object of {@code bucket}, so that a round starts empty. */
    void clear(String bucket) {
        server.keys(bucket).forEach(k -> server.deleteObject(bucket, k));
    }

    /** The committed part files under {@code prefix}: what readers of the output would list. */
    List<String> partFiles(String bucket, String prefix) {
        List<String> keys = new ArrayList<>();
        for (String k : server.keys(bucket)) {
            if (k.startsWith(prefix + "part-")) {
                keys.add(k);
            }
        }
        Collections.sort(keys);
        return keys;
    }

    /** Lines (newlines) in the committed plain part files under {@code prefix}. */
    long lines(String bucket, String prefix) throws IOException {
        long n = 0;
        for (String key : partFiles(bucket, prefix)) {
            try (InputStream in = open(bucket, key)) {
                n += countNewlines(in);
            }
        }
        return n;
    }

    /** Lines in the committed ppml part files under {@code prefix}, each decrypted and verified. */
    long ppmlLines(String bucket, String prefix, MasterKey key) throws IOException {
        long n = 0;
        for (String file : partFiles(bucket, prefix)) {
            try (InputStream in = PpmlFiles.decrypt(open(bucket, file), key, file)) {
                n += countNewlines(in);
            }
        }
        return n;
    }

    /** The stored bytes of an object, read from the server's files (no request). */
    private InputStream open(String bucket, String key) throws IOException {
        List<InputStream> parts = new ArrayList<>();
        for (Path f : server.objectFiles(bucket, key)) {
            parts.add(Files.newInputStream(f));
        }
        return new SequenceInputStream(Collections.enumeration(parts));
    }

    private static long countNewlines(InputStream in) throws IOException {
        byte[] buf = new byte[1 << 16];
        long n = 0;
        for (int r; (r = in.read(buf)) >= 0; ) {
            for (int i = 0; i < r; i++) {
                if (buf[i] == '\n') {
                    n++;
                }
            }
        }
        return n;
    }

    /** CPU time of the server's request threads so far. */
    long serverCpuNanos() {
        return server.cpuNanos();
    }

    /**
     * What the report says about the server: its share of the process CPU for candidate and
     * baseline, and whether it limits the case. It does when it took at least 20 % of the process
     * CPU while the CPUs were all but saturated (the machine at least 80 % busy, by this process or
     * others, or this process alone keeping 80 % of the cores busy): then every CPU second the
     * server took was one the writers compared did not get.
     */
    static String serverNote(BenchRunner.Result result) {
        StringBuilder s = new StringBuilder("OSS test server: ");
        boolean limits = false;
        int cores = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < 2; i++) {
            BenchRunner.Series series = result.series().get(i);
            double share = series.median(SERVER_SHARE);
            double busy = series.median(CORES_BUSY);
            double machine = series.median(MACHINE_BUSY);
            limits |= share >= 20 && (machine >= 80 || busy >= 0.8 * cores);
            s.append(
                    String.format(
                            Locale.ROOT,
                            "%s%.0f %% of the process CPU for %s (the process kept %.1f of %d cores"
                                    + " busy, the machine was %.0f %% busy)",
                            i == 0 ? "" : ", ",
                            share,
                            series.variant,
                            busy,
                            cores,
                            machine));
        }
        return s.append(
                        limits
                                ? "; the server LIMITS this case: the CPUs were saturated, and what"
                                        + " it took the writers compared did not get"
                                : "; the server does not limit this case")
                .toString();
    }

    /**
     * Adds the server's figures of one run to {@code m}: its CPU seconds, its share of the process
     * CPU, how many cores the process kept busy and how busy the machine was.
     */
    static BenchCase.Metrics withServer(
            BenchCase.Metrics m,
            double serverSeconds,
            double cpuSeconds,
            double elapsedSeconds,
            double machineLoad) {
        return m.lower(CORES_BUSY, cpuSeconds / elapsedSeconds)
                .lower(MACHINE_BUSY, 100 * machineLoad)
                .lower("server cpu s", serverSeconds)
                .lower(SERVER_SHARE, 100 * serverSeconds / cpuSeconds);
    }

    @Override
    public void close() {
        server.close();
    }
}
