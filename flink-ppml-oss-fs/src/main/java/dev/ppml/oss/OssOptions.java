package dev.ppml.oss;

import java.time.Duration;
import java.util.List;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

/**
 * Flink options of the {@code oss://} file system. Credentials fall back to the environment
 * variables {@code OSS_ENDPOINT}, {@code OSS_ACCESS_KEY_ID} and {@code OSS_ACCESS_KEY_SECRET}; they
 * are never logged.
 */
@PublicEvolving
public final class OssOptions {
    private OssOptions() {}

    public static final ConfigOption<String> ENDPOINT =
            ConfigOptions.key("fs.oss.endpoint")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The OSS endpoint, e.g. https://oss-cn-hangzhou.aliyuncs.com"
                                    + " (environment: OSS_ENDPOINT).");

    public static final ConfigOption<String> ACCESS_KEY_ID =
            ConfigOptions.key("fs.oss.accessKeyId")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("The access key id (environment: OSS_ACCESS_KEY_ID).");

    public static final ConfigOption<String> ACCESS_KEY_SECRET =
            ConfigOptions.key("fs.oss.accessKeySecret")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The access key secret (environment: OSS_ACCESS_KEY_SECRET). Never"
                                    + " logged.");

    public static final ConfigOption<MemorySize> PART_SIZE =
            ConfigOptions.key("fs.oss.upload.part-size")
                    .memoryType()
                    .defaultValue(MemorySize.parse("8mb"))
                    .withDescription(
                            "Size of the parts of multipart uploads (at least 100 kb; OSS allows"
                                    + " 10000 parts per object).");

    public static final ConfigOption<List<String>> BUFFER_DIRS =
            ConfigOptions.key("fs.oss.upload.buffer-dirs")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription(
                            "Local directories where parts are buffered before upload, used round"
                                    + " robin; unset: parts are buffered in memory. Bytes are"
                                    + " checksummed before they reach the disk, so a corrupted"
                                    + " buffer is detected before upload.");

    public static final ConfigOption<Integer> UPLOAD_CONCURRENCY =
            ConfigOptions.key("fs.oss.upload.concurrency")
                    .intType()
                    .defaultValue(4)
                    .withDescription("Parts of one file uploaded at the same time.");

    public static final ConfigOption<MemorySize> MAX_BUFFERED_MEMORY =
            ConfigOptions.key("fs.oss.upload.max-buffered-memory")
                    .memoryType()
                    .defaultValue(MemorySize.parse("64mb"))
                    .withDescription(
                            "Upper bound of memory one open file may hold in part buffers (memory"
                                    + " buffering only; at least one part): buffers grow in chunks"
                                    + " of at most 1 MiB from a pool of this size, and writers"
                                    + " wait for uploads to free memory when it is reached.");

    public static final ConfigOption<Integer> PART_ATTEMPTS =
            ConfigOptions.key("fs.oss.upload.part-attempts")
                    .intType()
                    .defaultValue(3)
                    .withDescription(
                            "Attempts per part when its upload fails verification (CRC mismatch,"
                                    + " missing ETag or CRC) or errors.");

    public static final ConfigOption<Duration> REQUEST_TIMEOUT =
            ConfigOptions.key("fs.oss.request-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(60))
                    .withDescription("Socket timeout of one OSS request.");
}
