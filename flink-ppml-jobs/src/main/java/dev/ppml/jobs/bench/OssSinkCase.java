package dev.ppml.jobs.bench;

import dev.ppml.connector.keys.MasterKey;
import dev.ppml.connector.sink.EncryptedFileSink;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;

/**
 * The people rows of {@code sink-local}, read from local CSV files by a streaming job with
 * checkpoints, written to OSS: by {@link EncryptedFileSink} (ppml) through our {@code oss://} file
 * system, or by Flink's plain {@link FileSink} (the same lines as CSV) through Flink's OSS plugin.
 * Both roll their part files on every checkpoint and commit them when it completes, the last ones
 * at the final checkpoint after the input ended; both run against the same OSS test server with the
 * same rows, parallelism, checkpoint interval and part size. After every run the committed objects
 * are read back from the server and their lines counted (the ppml ones decrypted): a run that lost
 * or duplicated rows fails the bench.
 */
final class OssSinkCase implements BenchCase {
    private static final String OUT = "people/";

    private final long rows;
    private final int parallelism;
    private final Path dir;
    private final String keyUri;
    private final MasterKey masterKey;
    private final Duration checkpointInterval;
    private final BenchCluster cluster;
    private final BenchOss oss;
    private Path input;
    private long inputBytes;

    OssSinkCase(
            long rows,
            int parallelism,
            Path dir,
            String keyUri,
            Duration checkpointInterval,
            BenchCluster cluster,
            BenchOss oss) {
        this.rows = rows;
        this.parallelism = parallelism;
        this.dir = dir;
        this.keyUri = keyUri;
        this.masterKey = MasterKey.of(keyUri);
        this.checkpointInterval = checkpointInterval;
        this.cluster = cluster;
        this.oss = oss;
    }

    @Override
    public String name() {
        return "sink-oss";
    }

    @Override
    public String title() {
        return String.format(
                Locale.ROOT,
                "csv -> EncryptedFileSink on our oss:// vs csv -> FileSink on Flink's"
                        + " flink-oss-fs-hadoop, streaming, a checkpoint every %d ms, %s parts,"
                        + " %,d people rows, parallelism %d, on the OSS test server",
                checkpointInterval.toMillis(),
                BenchSizes.format(BenchOss.PART_SIZE),
                rows,
                parallelism);
    }

    @Override
    public List<Variant> variants() {
        return List.of(
                new Variant("ppml on oss://", () -> run(true)),
                new Variant("csv on flink-oss-fs-hadoop", () -> run(false)));
    }

    @Override
    public List<Goal> goals() {
        return List.of(Goal.atLeast("rows/s", 1.0));
    }

    @Override
    public List<String> notes(BenchRunner.Result result) {
        return List.of(BenchOss.serverNote(result));
    }

    @Override
    public void setUp(PrintWriter log) throws Exception {
        input = PeopleFiles.write(rows, parallelism, dir.resolve("people-plain"), log);
        inputBytes = PeopleFiles.size(input);
    }

    private Metrics run(boolean ppml) throws Exception {
        String bucket = ppml ? BenchOss.PPML_BUCKET : BenchOss.FLINK_BUCKET;
        oss.clear(bucket);
        Configuration job = new Configuration();
        job.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.STREAMING);
        job.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
        // the last part files are committed by the checkpoint after the input ended
        job.set(CheckpointingOptions.ENABLE_CHECKPOINTS_AFTER_TASKS_FINISH, true);
        StreamExecutionEnvironment env = cluster.environment(job);
        org.apache.flink.core.fs.Path out =
                new org.apache.flink.core.fs.Path("oss://" + bucket + "/" + OUT);
        FileSink<String> sink =
                ppml
                        ? EncryptedFileSink.forEncoder(out, new SimpleStringEncoder<String>())
                                .withKeyUri(keyUri)
                                .withBucketAssigner(new BasePathBucketAssigner<>())
                                .build()
                        : FileSink.forRowFormat(out, new SimpleStringEncoder<String>())
                                .withBucketAssigner(new BasePathBucketAssigner<>())
                                .withRollingPolicy(OnCheckpointRollingPolicy.build())
                                .build();
        env.fromSource(
                        FileSource.forRecordStreamFormat(
                                        new TextLineInputFormat(),
                                        new org.apache.flink.core.fs.Path(input.toUri()))
                                .build(),
                        WatermarkStrategy.noWatermarks(),
                        "people csv")
                .sinkTo(sink)
                .name(ppml ? "EncryptedFileSink" : "FileSink");

        long cpu = ProcessCpu.nanos();
        long server = oss.serverCpuNanos();
        ProcessCpu.machineLoad();
        long start = System.nanoTime();
        JobClient client = env.executeAsync("bench sink-oss " + (ppml ? "ppml" : "csv"));
        // the job's own run time (see SqlJobCase): the final checkpoint's commit included
        double wall =
                client.getJobExecutionResult().get().getNetRuntime(TimeUnit.NANOSECONDS) / 1e9;
        double cpuSeconds = (ProcessCpu.nanos() - cpu) / 1e9;
        double elapsed = (System.nanoTime() - start) / 1e9;
        double serverSeconds = (oss.serverCpuNanos() - server) / 1e9;
        double machine = ProcessCpu.machineLoad();

        long written = ppml ? oss.ppmlLines(bucket, OUT, masterKey) : oss.lines(bucket, OUT);
        if (written != rows) {
            throw new IllegalStateException(
                    String.format(
                            Locale.ROOT,
                            "the %s job committed %d rows in %d files under oss://%s/%s, not %d:"
                                    + " the bench is broken",
                            ppml ? "ppml" : "csv",
                            written,
                            oss.partFiles(bucket, OUT).size(),
                            bucket,
                            OUT,
                            rows));
        }
        return BenchOss.withServer(
                new Metrics()
                        .higher("rows/s", rows / wall)
                        .higher("MB/s", inputBytes / 1e6 / wall)
                        .lower("wall s", wall)
                        .lower("cpu s", cpuSeconds),
                serverSeconds,
                cpuSeconds,
                elapsed,
                machine);
    }
}
