package dev.ppml.jobs;

import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.ppml.connector.format.CsvLines;
import dev.ppml.connector.format.KeyServiceConfig;
import dev.ppml.connector.sink.EncryptedFileSink;
import dev.ppml.connector.source.EncryptedFileSource;
import dev.ppml.jobs.cli.SimpleQueryCommand;
import dev.ppml.keys.KeyServiceOptions;
import dev.ppml.oss.OssMetrics;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import picocli.CommandLine;

/**
 * The reference job: reads encrypted people, keeps {@code job = 'Developer' AND age BETWEEN 20 AND
 * 40}, writes those rows ({@code name,age,job}) encrypted, and reports the row count and a count
 * per job of the input. Two variants, DataStream and SQL, produce the same rows.
 *
 * <p>Run it with {@code flink run flink-ppml-jobs.jar --key-uri URI --input DIR --output DIR
 * [--sql]}, or locally with {@code bin/ppml simple-query ...}.
 */
public final class SimpleQuery {

    /** The query's condition, as SQL. */
    public static final String SQL_CONDITION = "job = 'Developer' AND age BETWEEN 20 AND 40";

    private static final String JOB_COUNTER_PREFIX = "simple-query.input.job.";
    private static final String OUTPUT_COUNTER = "simple-query.output.rows";

    private SimpleQuery() {}

    /** Entry point for {@code flink run}: the arguments of {@code bin/ppml simple-query}. */
    public static void main(String[] args) {
        int exit = new CommandLine(new SimpleQueryCommand()).execute(args);
        if (exit != 0) {
            throw new IllegalArgumentException("SimpleQuery failed (exit code " + exit + ")");
        }
    }

    /** The query's condition, as Java. */
    public static boolean matches(String job, int age) {
        return "Developer".equals(job) && age >= 20 && age <= 40;
    }

    /** What the query did. */
    public static final class Result {
        public final long outputRows;
        public final Map<String, Long> inputRowsByJob;

        Result(long outputRows, Map<String, Long> inputRowsByJob) {
            this.outputRows = outputRows;
            this.inputRowsByJob = new TreeMap<>(inputRowsByJob);
        }

        public long inputRows() {
            return inputRowsByJob.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Runs the DataStream variant (bounded, batch execution) on {@code env}. */
    public static Result runDataStream(
            StreamExecutionEnvironment env,
            String keyUri,
            KeyServiceOptions keyService,
            String input,
            String output)
            throws Exception {
        checkNotNull(keyUri, "--key-uri");
        CsvLines<Person> csv = CsvLines.forPojo(Person.class, Person.COLUMNS).withHeader();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.fromSource(
                        EncryptedFileSource.forRecordFormat(csv, JobPaths.of(input))
                                .withKeyUri(keyUri)
                                .withKeyServiceOptions(keyService)
                                .build(),
                        WatermarkStrategy.noWatermarks(),
                        "encrypted people")
                .map(new CountByJob())
                .name("count input by job")
                .filter(p -> matches(p.job, p.age))
                .name(SQL_CONDITION)
                .map(new CountOutput())
                .name("count output")
                .sinkTo(
                        EncryptedFileSink.forRecordFormat(JobPaths.of(output), csv)
                                .withKeyUri(keyUri)
                                .withKeyServiceOptions(keyService)
                                .withBucketAssigner(new BasePathBucketAssigner<>())
                                .build())
                .name("encrypted result");
        JobExecutionResult result = env.execute("SimpleQuery (DataStream)");
        Map<String, Long> byJob = new TreeMap<>();
        result.getAllAccumulatorResults()
                .forEach(
                        (name, value) -> {
                            if (name.startsWith(JOB_COUNTER_PREFIX)) {
                                byJob.put(
                                        name.substring(JOB_COUNTER_PREFIX.length()),
                                        ((Number) value).longValue());
                            }
                        });
        Long out = result.getAccumulatorResult(OUTPUT_COUNTER);
        return new Result(out == null ? 0 : out, byJob);
    }

    /** Runs the SQL variant (batch) on {@code env}. */
    public static Result runSql(
            StreamExecutionEnvironment env,
            String keyUri,
            KeyServiceOptions keyService,
            String input,
            String output)
            throws Exception {
        checkNotNull(keyUri, "--key-uri");
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        StreamTableEnvironment tEnv =
                StreamTableEnvironment.create(env, EnvironmentSettings.inBatchMode());
        tEnv.executeSql(peopleTableDdl("people", input, keyUri, keyService));
        tEnv.executeSql(peopleTableDdl("kept", output, keyUri, keyService));
        TableResult insert =
                tEnv.executeSql(
                        "INSERT INTO kept SELECT name, age, job FROM people WHERE "
                                + SQL_CONDITION);
        insert.await();

        Map<String, Long> byJob = new TreeMap<>();
        try (CloseableIterator<Row> rows =
                tEnv.executeSql("SELECT job, COUNT(*) FROM people GROUP BY job").collect()) {
            rows.forEachRemaining(
                    r -> byJob.put((String) r.getField(0), ((Number) r.getField(1)).longValue()));
        }
        long written;
        try (CloseableIterator<Row> rows = tEnv.executeSql("SELECT COUNT(*) FROM kept").collect()) {
            written = ((Number) rows.next().getField(0)).longValue();
        }
        return new Result(written, byJob);
    }

    /** The DDL of an encrypted people table, as users would write it. */
    public static String peopleTableDdl(
            String table, String location, String keyUri, KeyServiceOptions keyService) {
        StringBuilder keyServiceOptions = new StringBuilder();
        keyService
                .asMap()
                .forEach(
                        (k, v) ->
                                keyServiceOptions.append(
                                        String.format(
                                                ",%n  '%s%s' = '%s'",
                                                KeyServiceConfig.PREFIX, k, v)));
        return String.format(
                "CREATE TEMPORARY TABLE %s (name STRING, age INT, job STRING) WITH (%n"
                        + "  'connector' = 'filesystem',%n"
                        + "  'path' = '%s',%n"
                        + "  'format' = 'ppml',%n"
                        + "  'ppml.format' = 'csv',%n"
                        + "  'ppml.key-uri' = '%s',%n"
                        + "  'ppml.header' = 'true'%s%n"
                        + ")",
                table, JobPaths.of(location), keyUri, keyServiceOptions);
    }

    /** Counts input rows per job in accumulators. */
    private static final class CountByJob extends RichMapFunction<Person, Person> {
        private final Map<String, LongCounter> counters = new TreeMap<>();

        @Override
        public Person map(Person p) {
            counters.computeIfAbsent(
                            p.job,
                            job -> {
                                LongCounter c = new LongCounter();
                                getRuntimeContext().addAccumulator(JOB_COUNTER_PREFIX + job, c);
                                return c;
                            })
                    .add(1);
            return p;
        }
    }

    /** Counts output rows in an accumulator. */
    private static final class CountOutput extends RichMapFunction<Person, Person> {
        private final LongCounter counter = new LongCounter();

        @Override
        public void open(org.apache.flink.api.common.functions.OpenContext context) {
            getRuntimeContext().addAccumulator(OUTPUT_COUNTER, counter);
            // oss:// upload and verification counters, under this operator's metrics
            OssMetrics.registerOn(getRuntimeContext().getMetricGroup());
        }

        @Override
        public Person map(Person p) {
            counter.add(1);
            return p;
        }
    }
}
