package dev.ppml.jobs.bench;

import dev.ppml.oss.Crc64;
import dev.ppml.oss.OssMetrics;
import dev.ppml.oss.OssOptions;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Random;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.RecoverableFsDataOutputStream;
import org.apache.flink.core.fs.RecoverableWriter;

/**
 * One object of {@code size} bytes written through a {@link RecoverableWriter} as a file sink
 * writes a part file: 1 MiB writes, {@code persist()} at a quarter, half and three quarters of the
 * bytes (three checkpoints, the previous checkpoint's state cleaned up after each), then {@code
 * closeForCommit()} and {@code commit()}. Ours on our {@code oss://} file system against Flink's
 * OSS plugin, both on the OSS test server with the same part size and upload concurrency; the
 * committed object's size and CRC64 are checked after every run.
 *
 * <p>Figures: MB/s; process CPU; the live heap of the writing ({@link LiveHeap}, sampled by a full
 * collection at 1/8, 3/8, 5/8 and 7/8 of the bytes, which the clock and the CPU figure leave out);
 * for ours also the most part-buffer memory its pool held ({@link OssMetrics#bufferedBytes()}),
 * which must stay within {@code fs.oss.upload.max-buffered-memory}.
 */
final class LargeFileCase implements BenchCase {
    private static final int WRITE = 1 << 20;
    private static final String POOL = "pool MiB";

    private final long size;
    private final BenchOss oss;
    private final long maxBufferedMemory = OssOptions.MAX_BUFFERED_MEMORY.defaultValue().getBytes();
    private final byte[] block = new byte[WRITE];
    private long expectedCrc;
    private int runs;

    LargeFileCase(long size, BenchOss oss) {
        this.size = size;
        this.oss = oss;
    }

    @Override
    public String name() {
        return "large-file";
    }

    @Override
    public String title() {
        return String.format(
                Locale.ROOT,
                "one %s object through our oss:// RecoverableWriter vs Flink's flink-oss-fs-hadoop"
                        + " (write, 3 x persist, closeForCommit, commit), %s parts, %d uploads at a"
                        + " time, on the OSS test server",
                BenchSizes.format(size),
                BenchSizes.format(BenchOss.PART_SIZE),
                BenchOss.CONCURRENCY);
    }

    @Override
    public List<Variant> variants() {
        return List.of(
                new Variant("ppml oss://", () -> write(true)),
                new Variant("flink-oss-fs-hadoop", () -> write(false)));
    }

    @Override
    public List<Goal> goals() {
        return List.of(Goal.atLeast("MB/s", 1.5));
    }

    @Override
    public List<String> notes(BenchRunner.Result result) {
        double most = result.candidate().max(POOL);
        double bound = maxBufferedMemory / (double) (1 << 20);
        return List.of(
                String.format(
                        Locale.ROOT,
                        "bound: our part buffers held at most %.0f MiB, %s the %.0f MiB of %s;"
                                + " live heap of the writing (median) %.0f MiB ours, %.0f MiB"
                                + " Flink's",
                        most,
                        most <= bound ? "within" : "MORE than",
                        bound,
                        OssOptions.MAX_BUFFERED_MEMORY.key(),
                        result.candidate().median("heap MiB"),
                        result.baseline().median("heap MiB")),
                BenchOss.serverNote(result));
    }

    @Override
    public void setUp(PrintWriter log) {
        new Random(42).nextBytes(block);
        long blockCrc = Crc64.of(block, 0, block.length);
        long crc = 0;
        for (long at = 0; at < size; at += WRITE) {
            int n = (int) Math.min(WRITE, size - at);
            crc = Crc64.combine(crc, n == WRITE ? blockCrc : Crc64.of(block, 0, n), n);
        }
        expectedCrc = crc;
    }

    private Metrics write(boolean ours) throws Exception {
        String bucket = ours ? BenchOss.PPML_BUCKET : BenchOss.FLINK_BUCKET;
        String key = "large/object-" + ++runs;
        FileSystem fs = ours ? oss.ppmlFileSystem() : oss.flinkFileSystem();
        long bufferedBefore = OssMetrics.bufferedBytes();
        LiveHeap heap = LiveHeap.start();
        long cpu = ProcessCpu.nanos();
        long server = oss.serverCpuNanos();
        ProcessCpu.machineLoad();
        long start = System.nanoTime();

        RecoverableWriter writer = fs.createRecoverableWriter();
        RecoverableFsDataOutputStream out = writer.open(new Path("oss://" + bucket + "/" + key));
        RecoverableWriter.ResumeRecoverable previous = null;
        int checkpoints = 0;
        int samples = 0;
        for (long written = 0; written < size; ) {
            int n = (int) Math.min(WRITE, size - written);
            out.write(block, 0, n);
            written += n;
            // at 1/8, 3/8, 5/8, 7/8: between the checkpoints, while parts are in flight
            while (samples < 4 && written >= size * (2 * samples + 1) / 8) {
                heap.sample();
                samples++;
            }
            while (checkpoints < 3 && written >= size * (checkpoints + 1) / 4) {
                RecoverableWriter.ResumeRecoverable state = out.persist();
                if (previous != null && writer.requiresCleanupOfRecoverableState()) {
                    writer.cleanupRecoverableState(previous);
                }
                previous = state;
                checkpoints++;
            }
        }
        // a pool only grows while its file is open: now it holds the most it ever held
        long pool = OssMetrics.bufferedBytes() - bufferedBefore;
        out.closeForCommit().commit();
        if (previous != null && writer.requiresCleanupOfRecoverableState()) {
            writer.cleanupRecoverableState(previous);
        }
        double wall = (System.nanoTime() - start - heap.pauseNanos()) / 1e9;
        double cpuSeconds = (ProcessCpu.nanos() - cpu - heap.pauseCpuNanos()) / 1e9;
        double serverSeconds = (oss.serverCpuNanos() - server) / 1e9;
        double machine = ProcessCpu.machineLoad();

        OptionalLong stored = oss.server.objectSize(bucket, key);
        OptionalLong crc = oss.server.objectCrc64(bucket, key);
        if (stored.orElse(-1) != size || crc.orElse(~expectedCrc) != expectedCrc) {
            throw new IllegalStateException(
                    String.format(
                            Locale.ROOT,
                            "oss://%s/%s was committed with %s bytes and CRC64 %s; %d bytes and"
                                    + " CRC64 %s were written: the bench is broken",
                            bucket,
                            key,
                            stored.isPresent() ? Long.toString(stored.getAsLong()) : "no",
                            crc.isPresent() ? Crc64.toOssString(crc.getAsLong()) : "none",
                            size,
                            Crc64.toOssString(expectedCrc)));
        }
        oss.clear(bucket);
        Metrics m =
                new Metrics()
                        .higher("MB/s", size / 1e6 / wall)
                        .lower("wall s", wall)
                        .lower("cpu s", cpuSeconds)
                        .lower("heap MiB", heap.peakBytes() / (double) (1 << 20));
        if (ours) {
            m.lower(POOL, pool / (double) (1 << 20));
        }
        return BenchOss.withServer(m, serverSeconds, cpuSeconds, wall, machine);
    }
}
