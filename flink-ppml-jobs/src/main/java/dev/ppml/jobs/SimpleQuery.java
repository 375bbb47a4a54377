package dev.ppml.jobs;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.ppml.connector.format.CsvLines;
import dev.ppml.connector.keys.KeyServiceConfigOptions;
import dev.ppml.connector.sink.EncryptedFileSink;
import dev.ppml.connector.source.EncryptedFileSource;
import dev.ppml.keys.KeyServiceOptions;
import dev.ppml.oss.OssMetrics;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.ParameterTool;

/**
 * The reference job: reads encrypted people, keeps {@code job = 'Developer' AND age BETWEEN 20 AND
 * 40}, writes those rows ({@code name,age,job}) encrypted, and reports the row count and a count
 * per job of the input. Two variants, DataStream and SQL, produce the same rows.
 *
 * <p>Run it with {@code flink run flink-ppml-jobs.jar --key-uri URI --input DIR --output DIR
 * [--sql]}. Key-service options ({@code ppml.key-service.*}: how TaskManagers attest to unlock the
 * key) come from the Flink configuration of the environment, e.g. the cluster's configuration or
 * {@code flink run -Dppml.key-service.kbs.tee=tdx}.
 */
public final class SimpleQuery {

    /** The query's condition, as SQL. */
    public static final String SQL_CONDITION = "job = 'Developer' AND age BETWEEN 20 AND 40";

    /** The arguments {@link #main} takes. */
    public static final String USAGE =
            "SimpleQuery --key-uri URI --input DIR --output DIR [--sql] [-Dkey=value ...]";

    private static final String JOB_COUNTER_PREFIX = "simple-query.input.job.";
    private static final String OUTPUT_COUNTER = "simple-query.output.rows";

    private SimpleQuery() {}

    /** Which API the query is written in; both give the same rows. */
    public enum Api {
        DATASTREAM,
        SQL
    }

    /** What to run the query on. */
    public record Parameters(String keyUri, String input, String output, Api api) {
        public Parameters {
            checkNotNull(keyUri, "the key URI must be set");
            checkNotNull(input, "the input must be set");
            checkNotNull(output, "the output must be set");
            checkNotNull(api, "the API must be set");
        }

        /**
         * Reads the program arguments of {@link #USAGE}.
         *
         * @throws IllegalArgumentException naming a missing or unknown argument
         */
        public static Parameters fromArgs(String... args) {
            ParameterTool params;
            try {
                params = ParameterTool.fromArgs(withoutFlinkOptions(args));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage() + "; usage: " + USAGE, e);
            }
            for (String required : List.of("key-uri", "input", "output")) {
                if (!params.has(required) || params.get(required) == null) {
                    throw new IllegalArgumentException(
                            "missing argument --" + required + "; usage: " + USAGE);
                }
            }
            Parameters p =
                    new Parameters(
                            params.get("key-uri"),
                            params.get("input"),
                            params.get("output"),
                            params.has("sql") ? Api.SQL : Api.DATASTREAM);
            Set<String> unknown = new TreeSet<>(params.getUnrequestedParameters());
            unknown.remove("sql");
            checkArgument(unknown.isEmpty(), "unknown argument(s) %s; usage: %s", unknown, USAGE);
            return p;
        }
    }

    /**
     * The {@code -Dkey=value} arguments (e.g. {@code -Dppml.key-service.kbs.tee=tdx}): Flink
     * options for this job's environment, as {@code flink run -D} would give them.
     */
    public static Map<String, String> flinkOptionsFromArgs(String... args) {
        Map<String, String> options = new TreeMap<>();
        for (String arg : args) {
            if (arg.startsWith("-D")) {
                int eq = arg.indexOf('=');
                checkArgument(
                        eq > 2,
                        "argument '%s' is not of the form -Dkey=value; usage: %s",
                        arg,
                        USAGE);
                options.put(arg.substring(2, eq), arg.substring(eq + 1));
            }
        }
        return options;
    }

    private static String[] withoutFlinkOptions(String... args) {
        return Arrays.stream(args).filter(a -> !a.startsWith("-D")).toArray(String[]::new);
    }

    /** Entry point for {@code flink run}. */
    public static void main(String[] args) throws Exception {
        Parameters parameters = Parameters.fromArgs(args);
        Configuration options = Configuration.fromMap(flinkOptionsFromArgs(args));
        Result result =
                run(StreamExecutionEnvironment.getExecutionEnvironment(options), parameters);
        result.summary(parameters).forEach(System.out::println);
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

        /** The lines that report the result, as {@link #main} prints them. */
        public List<String> summary(Parameters parameters) {
            return List.of(
                    String.format(
                            "simple-query (%s): %d of %d rows kept, written encrypted to %s",
                            parameters.api() == Api.SQL ? "SQL" : "DataStream",
                            outputRows,
                            inputRows(),
                            parameters.output()),
                    "input rows by job: "
                            + inputRowsByJob.entrySet().stream()
                                    .map(e -> e.getKey() + "=" + e.getValue())
                                    .collect(Collectors.joining(", ")),
                    "output rows: " + outputRows);
        }
    }

    /** Runs the query (bounded, batch execution) on {@code env}. */
    public static Result run(StreamExecutionEnvironment env, Parameters parameters)
            throws Exception {
        Path output = JobPaths.of(parameters.output());
        JobPaths.requireEmptyOutput(output);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        Result result =
                parameters.api() == Api.SQL
                        ? runSql(env, parameters)
                        : runDataStream(env, parameters);
        // A sink that received no rows writes no file and so no directory: the result the summary
        // names must exist all the same, as an empty directory.
        JobPaths.createDirectoryIfAbsent(output);
        return result;
    }

    private static Result runDataStream(StreamExecutionEnvironment env, Parameters p)
            throws Exception {
        KeyServiceOptions keyService = keyServiceOptions(env);
        CsvLines<Person> csv = CsvLines.forPojo(Person.class, Person.COLUMNS).withHeader();
        env.fromSource(
                        EncryptedFileSource.forRecordFormat(csv, JobPaths.of(p.input()))
                                .withKeyUri(p.keyUri())
                                .withKeyServiceOptions(keyService)
                                .build(),
                        WatermarkStrategy.noWatermarks(),
                        "encrypted people")
                .map(new CountByJob())
                .name("count input by job")
                .filter(person -> matches(person.job, person.age))
                .name(SQL_CONDITION)
                .map(new CountOutput())
                .name("count output")
                .sinkTo(
                        EncryptedFileSink.forRecordFormat(JobPaths.of(p.output()), csv)
                                .withKeyUri(p.keyUri())
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

    private static Result runSql(StreamExecutionEnvironment env, Parameters p) throws Exception {
        Map<String, String> keyService = keyServiceFlinkOptions(env);
        StreamTableEnvironment tEnv =
                StreamTableEnvironment.create(env, EnvironmentSettings.inBatchMode());
        tEnv.executeSql(peopleTableDdl("people", p.input(), p.keyUri(), keyService));
        tEnv.executeSql(peopleTableDdl("kept", p.output(), p.keyUri(), keyService));
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

    /**
     * The key-service options of the environment's Flink configuration, checked.
     *
     * @throws IllegalArgumentException naming an unknown or malformed {@code ppml.key-service.*}
     *     option
     */
    public static KeyServiceOptions keyServiceOptions(StreamExecutionEnvironment env) {
        return KeyServiceConfigOptions.fromFlinkConfig(env.getConfiguration().toMap());
    }

    /** The {@code ppml.key-service.*} entries of the environment's configuration, as given. */
    public static Map<String, String> keyServiceFlinkOptions(StreamExecutionEnvironment env) {
        keyServiceOptions(env);
        Map<String, String> options = new TreeMap<>();
        env.getConfiguration()
                .toMap()
                .forEach(
                        (k, v) -> {
                            if (k.startsWith(
                                    KeyServiceConfigOptions.PREFIX
                                            + KeyServiceConfigOptions.KEY_SERVICE)) {
                                options.put(k, v);
                            }
                        });
        return options;
    }

    /**
     * The DDL of an encrypted people table, as users would write it.
     *
     * @param keyServiceOptions {@code ppml.key-service.*} options (full keys) to put in the table
     */
    public static String peopleTableDdl(
            String table, String location, String keyUri, Map<String, String> keyServiceOptions) {
        StringBuilder options = new StringBuilder();
        new TreeMap<>(keyServiceOptions)
                .forEach((k, v) -> options.append(String.format(",%n  '%s' = '%s'", k, v)));
        return String.format(
                Locale.ROOT,
                "CREATE TEMPORARY TABLE %s (name STRING, age INT, job STRING) WITH (%n"
                        + "  'connector' = 'filesystem',%n"
                        + "  'path' = '%s',%n"
                        + "  'format' = 'ppml',%n"
                        + "  'ppml.format' = 'csv',%n"
                        + "  'ppml.key-uri' = '%s',%n"
                        + "  'ppml.header' = 'true'%s%n"
                        + ")",
                table,
                JobPaths.of(location),
                keyUri,
                options);
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
        public void open(OpenContext context) {
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
