package dev.ppml.jobs.bench;

import dev.ppml.connector.format.RecordEncoders;
import dev.ppml.connector.format.StreamingParameters;
import dev.ppml.connector.keys.MasterKey;
import dev.ppml.connector.sink.EncryptingBulkWriterFactory;
import dev.ppml.connector.source.EncryptedFileSource;
import dev.ppml.jobs.PeopleGenerator;
import dev.ppml.jobs.SimpleQuery;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * One large file read at parallelism 1, 2 and 4: the ppml file (split at segment boundaries,
 * verify-before-read on, the default) against the same rows as one plain CSV file read in
 * line-aligned splits of the same size. Figures per parallelism: MB/s of CSV content, and the
 * speed-up over parallelism 1 of the same round.
 */
final class SplitReadCase implements BenchCase {
    static final int[] PARALLELISMS = {1, 2, 4};

    /** Bytes per people row on average, to turn --size into rows. */
    private static final double ROW_BYTES = 19.5;

    private final long size;
    private final Path dir;
    private final MasterKey masterKey;
    private final String keyUri;
    private final BenchCluster cluster;
    private final long splitSize;
    private long rows;
    private long plainBytes;
    private Path plain;
    private Path encrypted;

    SplitReadCase(long size, Path dir, MasterKey masterKey, String keyUri, BenchCluster cluster) {
        this.size = size;
        this.dir = dir;
        this.masterKey = masterKey;
        this.keyUri = keyUri;
        this.cluster = cluster;
        // the production default for large files; smaller ones still get 16 splits
        this.splitSize =
                Math.max(
                        64 << 10,
                        Math.min(EncryptedFileSource.DEFAULT_SPLIT_SIZE.getBytes(), size / 16));
    }

    @Override
    public String name() {
        return "split-read";
    }

    @Override
    public String title() {
        return String.format(
                Locale.ROOT,
                "one %s ppml file (verify-before-read) vs the same plain CSV file, read in"
                        + " %s splits at parallelism 1, 2, 4",
                BenchSizes.format(size),
                BenchSizes.format(splitSize));
    }

    @Override
    public List<Variant> variants() {
        return List.of(
                new Variant("ppml", () -> run(true, true)),
                new Variant("plain csv", () -> run(false, false)),
                // shown for scale: what verify-before-read costs on top of reading in splits
                new Variant("ppml streamed", () -> run(true, false)));
    }

    @Override
    public List<Goal> goals() {
        List<Goal> goals = new ArrayList<>();
        for (int p : PARALLELISMS) {
            goals.add(Goal.atLeast("MB/s p" + p, 0.9));
        }
        for (int p : PARALLELISMS) {
            if (p > 1) {
                goals.add(Goal.atLeast("speed-up p" + p, 0.8));
            }
        }
        return goals;
    }

    @Override
    public void setUp(PrintWriter log) throws Exception {
        rows = Math.max(1, (long) (size / ROW_BYTES));
        Path withHeader = dir.resolve("people-with-header.csv");
        log.printf(
                Locale.ROOT,
                "generating %,d people rows (about %s)%n",
                rows,
                BenchSizes.format(size));
        log.flush();
        PeopleGenerator.generate(rows, 42, withHeader, SimpleQuery::matches, n -> {});
        plain = Files.createDirectories(dir.resolve("split-plain")).resolve("people.csv");
        Path encryptedDir = Files.createDirectories(dir.resolve("split-ppml"));
        encrypted = encryptedDir.resolve("people.ppml");
        log.println("writing it as one plain CSV file and one ppml file (not measured)");
        log.flush();
        EncryptingBulkWriterFactory<String> factory =
                new EncryptingBulkWriterFactory<>(
                        masterKey,
                        StreamingParameters.DEFAULT,
                        RecordEncoders.lines(new SimpleStringSchema(), null, "csv"));
        try (BufferedReader in = Files.newBufferedReader(withHeader, StandardCharsets.UTF_8);
                var plainOut = Files.newBufferedWriter(plain, StandardCharsets.UTF_8);
                FSDataOutputStream out =
                        FileSystem.getLocalFileSystem()
                                .create(
                                        new org.apache.flink.core.fs.Path(encrypted.toUri()),
                                        FileSystem.WriteMode.OVERWRITE)) {
            in.readLine(); // the header: neither file has one
            BulkWriter<String> writer = factory.create(out);
            for (String line; (line = in.readLine()) != null; ) {
                plainOut.write(line);
                plainOut.write('\n');
                writer.addElement(line);
            }
            writer.finish();
        }
        Files.delete(withHeader);
        plainBytes = Files.size(plain);
        log.printf(
                Locale.ROOT,
                "plain %s, ppml %s%n",
                BenchSizes.format(plainBytes),
                BenchSizes.format(Files.size(encrypted)));
        log.flush();
    }

    private Metrics run(boolean ppml, boolean verify) throws Exception {
        Metrics m = new Metrics();
        double first = 0;
        long cpu = ProcessCpu.nanos();
        for (int p : PARALLELISMS) {
            double seconds = read(ppml, verify, p);
            double mbs = plainBytes / 1e6 / seconds;
            if (p == 1) {
                first = mbs;
            }
            m.higher("MB/s p" + p, mbs);
        }
        m.lower("cpu s", (ProcessCpu.nanos() - cpu) / 1e9);
        for (int p : PARALLELISMS) {
            if (p > 1) {
                m.higher("speed-up p" + p, m.values.get("MB/s p" + p) / first);
            }
        }
        return m;
    }

    /** Reads the file at parallelism {@code p}; checks every row arrived; the job's run time. */
    private double read(boolean ppml, boolean verify, int p) throws Exception {
        StreamExecutionEnvironment env = cluster.streamEnvironment(p);
        FileSource<String> source =
                ppml
                        ? EncryptedFileSource.forRowFormat(
                                        new SimpleStringSchema(),
                                        new org.apache.flink.core.fs.Path(
                                                encrypted.getParent().toUri()))
                                .withKeyUri(keyUri)
                                .verifyBeforeRead(verify)
                                .splitSize(new MemorySize(splitSize))
                                .build()
                        : FileSource.forRecordStreamFormat(
                                        new PlainLineSplits.Format(),
                                        new org.apache.flink.core.fs.Path(
                                                plain.getParent().toUri()))
                                .setFileEnumerator(PlainLineSplits.enumerator(splitSize))
                                .build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), ppml ? "ppml" : "plain")
                .map(new Counting())
                .sinkTo(new DiscardingSink<>());
        JobExecutionResult result = env.execute("split-read " + (ppml ? "ppml" : "plain"));
        long counted = result.<Long>getAccumulatorResult(Counting.ROWS);
        if (counted != rows) {
            throw new IllegalStateException(
                    String.format(
                            Locale.ROOT,
                            "the %s read at parallelism %d saw %,d rows of %,d: the bench is"
                                    + " broken",
                            ppml ? "ppml" : "plain",
                            p,
                            counted,
                            rows));
        }
        return result.getNetRuntime(java.util.concurrent.TimeUnit.NANOSECONDS) / 1e9;
    }

    /** Counts rows into an accumulator; passes on each row's length, so no work is elided. */
    private static final class Counting extends RichMapFunction<String, Integer> {
        static final String ROWS = "rows";
        private final LongCounter counter = new LongCounter();

        @Override
        public void open(OpenContext context) {
            getRuntimeContext().addAccumulator(ROWS, counter);
        }

        @Override
        public Integer map(String row) {
            counter.add(1);
            return row.length();
        }
    }
}
