package dev.ppml.oss;

import com.aliyun.oss.ClientBuilderConfiguration;
import com.aliyun.oss.OSS;
import com.aliyun.oss.OSSClientBuilder;
import dev.ppml.oss.writer.OssWriterConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the {@code oss://} file system from Flink's configuration ({@link OssOptions}), with the
 * environment variables {@code OSS_ENDPOINT}, {@code OSS_ACCESS_KEY_ID} and {@code
 * OSS_ACCESS_KEY_SECRET} as fallbacks. Loaded from the class path or as a Flink plugin.
 */
@Internal
public final class OssFileSystemFactory implements FileSystemFactory {
    private static final Logger LOG = LoggerFactory.getLogger(OssFileSystemFactory.class);
    private static final long MIN_PART_SIZE = 100 * 1024;

    private Configuration config = new Configuration();
    @Nullable private OSS client;
    @Nullable private OssWriterConfig writerConfig;

    @Override
    public String getScheme() {
        return "oss";
    }

    @Override
    public synchronized void configure(Configuration config) {
        this.config = config;
        if (client != null) {
            client.shutdown();
        }
        this.client = null;
        this.writerConfig = null;
    }

    @Override
    public synchronized FileSystem create(URI fsUri) throws IOException {
        String bucket = fsUri.getAuthority();
        if (bucket == null || bucket.isEmpty()) {
            throw new IOException(
                    "oss:// URI '" + fsUri + "' names no bucket; expected oss://bucket/path");
        }
        if (client == null) {
            // the writer settings first: a bad one fails every create(), not only the first
            OssWriterConfig w = newWriterConfig();
            client = newClient();
            writerConfig = w;
        }
        return new OssFileSystem(
                URI.create("oss://" + bucket + "/"),
                new AliyunObjectStore(client, bucket),
                writerConfig);
    }

    private OSS newClient() {
        String endpoint =
                setting(OssOptions.ENDPOINT.key(), config.get(OssOptions.ENDPOINT), "OSS_ENDPOINT");
        String id =
                setting(
                        OssOptions.ACCESS_KEY_ID.key(),
                        config.get(OssOptions.ACCESS_KEY_ID),
                        "OSS_ACCESS_KEY_ID");
        String secret =
                setting(
                        OssOptions.ACCESS_KEY_SECRET.key(),
                        config.get(OssOptions.ACCESS_KEY_SECRET),
                        "OSS_ACCESS_KEY_SECRET");
        ClientBuilderConfiguration conf = new ClientBuilderConfiguration();
        // The writer verifies every part and object against CRC64s it computed before any
        // buffer; the SDK's second pass over the same bytes would only cost CPU.
        conf.setCrcCheckEnabled(false);
        conf.setSocketTimeout((int) config.get(OssOptions.REQUEST_TIMEOUT).toMillis());
        LOG.info(
                "Creating the oss:// file system for endpoint {} (access key id set: {})",
                endpoint,
                !id.isEmpty());
        return new OSSClientBuilder().build(endpoint, id, secret, conf);
    }

    private OssWriterConfig newWriterConfig() throws IOException {
        long partSize = config.get(OssOptions.PART_SIZE).getBytes();
        if (partSize < MIN_PART_SIZE || partSize > Integer.MAX_VALUE) {
            throw new IllegalConfigurationException(
                    String.format(
                            "'%s' is %d bytes; it must be between 100 kb and 2 gb",
                            OssOptions.PART_SIZE.key(), partSize));
        }
        int concurrency = config.get(OssOptions.UPLOAD_CONCURRENCY);
        if (concurrency < 1) {
            throw new IllegalConfigurationException(
                    "'" + OssOptions.UPLOAD_CONCURRENCY.key() + "' must be at least 1");
        }
        List<Path> dirs = new ArrayList<>();
        for (String d : config.getOptional(OssOptions.BUFFER_DIRS).orElse(List.of())) {
            Path dir = Path.of(d.trim());
            Files.createDirectories(dir);
            if (!Files.isWritable(dir)) {
                throw new IllegalConfigurationException(
                        String.format(
                                "'%s' lists %s, which is not a writable directory",
                                OssOptions.BUFFER_DIRS.key(), dir));
            }
            dirs.add(dir);
        }
        long memory = config.get(OssOptions.MAX_BUFFERED_MEMORY).getBytes();
        if (dirs.isEmpty()) {
            long partMemory = OssWriterConfig.partMemory((int) partSize);
            if (memory < partMemory) {
                throw new IllegalConfigurationException(
                        String.format(
                                "'%s' is %d bytes, less than one part of '%s' (%d bytes in"
                                        + " memory); raise it, lower the part size, or buffer"
                                        + " parts on disk with '%s'",
                                OssOptions.MAX_BUFFERED_MEMORY.key(),
                                memory,
                                OssOptions.PART_SIZE.key(),
                                partMemory,
                                OssOptions.BUFFER_DIRS.key()));
            }
            // the part being filled plus those in flight fit the memory bound; the buffer pool
            // enforces it (a writer waits for memory uploads free)
            concurrency = (int) Math.max(1, Math.min(concurrency, memory / partMemory - 1));
        }
        int attempts = config.get(OssOptions.PART_ATTEMPTS);
        AtomicInteger threads = new AtomicInteger();
        ExecutorService executor =
                Executors.newCachedThreadPool(
                        r -> {
                            Thread t =
                                    new Thread(r, "oss-part-upload-" + threads.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
        return new OssWriterConfig((int) partSize, dirs, concurrency, attempts, executor, memory);
    }

    private static String setting(String key, @Nullable String configured, String env) {
        if (configured != null && !configured.isBlank()) {
            return configured.trim();
        }
        String fromEnv = System.getenv(env);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.trim();
        }
        throw new IllegalConfigurationException(
                String.format(
                        "the oss:// file system needs '%s': set it in the Flink configuration or"
                                + " the environment variable %s",
                        key, env));
    }
}
