package dev.ppml.jobs.demo;

import dev.ppml.attestation.policy.AttestationPolicy;
import dev.ppml.broker.DevKeyBroker;
import dev.ppml.jobs.DecryptJob;
import dev.ppml.jobs.EncryptJob;
import dev.ppml.jobs.PeopleGenerator;
import dev.ppml.jobs.Progress;
import dev.ppml.jobs.SimpleQuery;
import dev.ppml.keys.KeyUri;
import dev.ppml.keys.local.LocalKeystore;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The demo pipeline and its checks: generate people, create a master key and serve it from a
 * development key broker, encrypt, run SimpleQuery with the DataStream API and with SQL, decrypt
 * both results and check them against the generator's expected count. Every job unlocks the key
 * through attestation ({@code kbs://}), with the simulated {@code sample} TEE, and says so.
 *
 * <p>It narrates each step to a writer and knows nothing of a command line: the caller hands it the
 * way to make execution environments and to show progress.
 */
public final class Demo {

    /** The file that marks a directory as the demo's own, so a rerun may delete it. */
    public static final String MARKER = ".ppml-demo";

    /** The generator's seed: the same rows, and the same expected count, on every run. */
    public static final long SEED = 42;

    private static final int STEPS = 7;

    /** Makes the execution environment of one job, with the given Flink options added. */
    @FunctionalInterface
    public interface Environments {
        StreamExecutionEnvironment create(Map<String, String> options);
    }

    /** Shows the progress of a long step; {@link #NONE} shows nothing. */
    @FunctionalInterface
    public interface ProgressDisplay {
        ProgressDisplay NONE = (label, total, done) -> () -> {};

        AutoCloseable start(String label, long total, LongSupplier done);
    }

    /** The working directory holds files the demo did not make, and it deletes nothing. */
    public static final class NotADemoDirectoryException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        NotADemoDirectoryException(Path dir) {
            super(
                    String.format(
                            "%s exists and was not made by the demo; choose another directory",
                            dir));
        }
    }

    /** How large a demo to run, and where. */
    public record Settings(long rows, Path dir) {}

    private final Environments environments;
    private final ProgressDisplay progress;
    private final PrintWriter out;

    public Demo(Environments environments, ProgressDisplay progress, PrintWriter out) {
        this.environments = environments;
        this.progress = progress;
        this.out = out;
    }

    /** Runs the demo; true when every check passed. */
    public boolean run(Settings settings) throws Exception {
        Path dir = settings.dir();
        long rows = settings.rows();
        prepare(dir);
        Path people = dir.resolve("people.csv");
        Path resources = dir.resolve("kbs-resources").toAbsolutePath();
        Path encrypted = dir.resolve("people-encrypted");
        Path resultDs = dir.resolve("result-datastream");
        Path resultSql = dir.resolve("result-sql");
        Path resultCsv = dir.resolve("result.csv");
        Path resultSqlCsv = dir.resolve("result-sql.csv");

        step(1, "Generating %d people into %s (name,age,job; seed %d)", rows, people, SEED);
        AtomicLong written = new AtomicLong();
        long expected;
        try (AutoCloseable bar = progress.start("generating", rows, written::get)) {
            expected =
                    PeopleGenerator.generate(
                            rows, SEED, people, SimpleQuery::matches, written::set);
        }
        say("expected simple-query rows: %d", expected);

        step(2, "Creating a master key and giving it to a development key broker");
        Path keyFile = resources.resolve("default/key/people");
        LocalKeystore.create(KeyUri.parse("local:" + keyFile), false);
        AttestationPolicy policy = AttestationPolicy.builder().allowSample(true).build();
        try (DevKeyBroker broker =
                DevKeyBroker.withPolicy(policy, null, resources, Clock.systemUTC())) {
            broker.start(0);
            String keyUri = "kbs://127.0.0.1:" + broker.port() + "/default/key/people";
            // the demo's attestation: simulated, over plain HTTP to the loopback broker
            Map<String, String> kbs =
                    Map.of(
                            "ppml.key-service.kbs.tee", "sample",
                            "ppml.key-service.kbs.plaintext-http", "true");
            say("key URI %s: the Trustee KBS protocol on 127.0.0.1:%d", keyUri, broker.port());
            say(
                    "the broker releases the key only to attested TaskManagers; here attestation is"
                            + " SIMULATED (the 'sample' TEE, allowed by the demo's policy). On TDX nodes"
                            + " use ppml.key-service.kbs.tee=tdx and a real KBS.");

            step(
                    3,
                    "Encrypting %s into %s (a fresh data key per file, AES256_GCM_HKDF_1MB)",
                    people,
                    encrypted);
            Progress.reset();
            long encryptedRows;
            try (AutoCloseable bar =
                    progress.start("encrypting", Files.size(people), Progress::bytes)) {
                encryptedRows =
                        EncryptJob.run(
                                environments.create(kbs),
                                new EncryptJob.Parameters(
                                        keyUri, people.toString(), encrypted.toString(), true));
            }
            List<Path> files = list(encrypted);
            say(
                    "%d rows in %d encrypted files, e.g. %s starts with %s",
                    encryptedRows, files.size(), files.get(0).getFileName(), preview(files.get(0)));

            step(4, "SimpleQuery, DataStream API: keep %s", SimpleQuery.SQL_CONDITION);
            SimpleQuery.Result ds =
                    SimpleQuery.run(
                            environments.create(kbs),
                            new SimpleQuery.Parameters(
                                    keyUri,
                                    encrypted.toString(),
                                    resultDs.toString(),
                                    SimpleQuery.Api.DATASTREAM));
            say(
                    "%d of %d rows kept; input by job: %s",
                    ds.outputRows, ds.inputRows(), ds.inputRowsByJob);

            StreamExecutionEnvironment sqlEnv = environments.create(kbs);
            step(
                    5,
                    "SimpleQuery, SQL ('format' = 'ppml' tables):%n%s",
                    SimpleQuery.peopleTableDdl(
                            "people",
                            encrypted.toString(),
                            keyUri,
                            SimpleQuery.keyServiceFlinkOptions(sqlEnv)));
            SimpleQuery.Result sql =
                    SimpleQuery.run(
                            sqlEnv,
                            new SimpleQuery.Parameters(
                                    keyUri,
                                    encrypted.toString(),
                                    resultSql.toString(),
                                    SimpleQuery.Api.SQL));
            say(
                    "%d of %d rows kept; input by job: %s",
                    sql.outputRows, sql.inputRows(), sql.inputRowsByJob);

            step(6, "Decrypting both results into %s and %s", resultCsv, resultSqlCsv);
            long decrypted =
                    DecryptJob.run(
                            environments.create(kbs),
                            new DecryptJob.Parameters(
                                    keyUri, resultDs.toString(), resultCsv.toString(), true));
            long decryptedSql =
                    DecryptJob.run(
                            environments.create(kbs),
                            new DecryptJob.Parameters(
                                    keyUri, resultSql.toString(), resultSqlCsv.toString(), true));
            say("%d and %d rows decrypted", decrypted, decryptedSql);

            step(7, "Checking the result");
            boolean ok = true;
            ok &=
                    check(
                            decrypted == expected,
                            "DataStream result has %d rows, generator expected %d",
                            decrypted,
                            expected);
            ok &=
                    check(
                            ds.outputRows == expected,
                            "DataStream job counted %d output rows",
                            ds.outputRows);
            ok &=
                    check(
                            ds.inputRows() == rows,
                            "DataStream job read %d input rows of %d",
                            ds.inputRows(),
                            rows);
            ok &=
                    check(
                            sortedRows(resultCsv).equals(sortedRows(resultSqlCsv)),
                            "SQL result has the same rows as the DataStream result");
            ok &=
                    check(
                            allMatch(resultCsv),
                            "every result row has job = Developer and age in 20..40");
            ok &=
                    check(
                            broker.releasedCount() > 0,
                            "the key broker released the key %d time(s), each after attestation",
                            broker.releasedCount());
            out.println();
            out.println(ok ? "demo OK: every step verified" : "demo FAILED: see the checks above");
            out.flush();
            return ok;
        }
    }

    private static void prepare(Path dir) throws IOException {
        if (Files.exists(dir)) {
            boolean empty;
            try (Stream<Path> entries = Files.list(dir)) {
                empty = entries.findAny().isEmpty();
            }
            if (!empty && !Files.exists(dir.resolve(MARKER))) {
                throw new NotADemoDirectoryException(dir);
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(MARKER), "made by the ppml demo; deleted on the next run\n");
    }

    private void step(int n, String format, Object... args) {
        out.println();
        out.printf("[" + n + "/" + STEPS + "] " + format + "%n", args);
        out.flush();
    }

    private void say(String format, Object... args) {
        out.printf("      " + format + "%n", args);
        out.flush();
    }

    private boolean check(boolean passed, String format, Object... args) {
        out.printf("      " + (passed ? "ok   " : "FAIL ") + format + "%n", args);
        out.flush();
        return passed;
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    private static String preview(Path file) throws IOException {
        byte[] head = new byte[24];
        try (InputStream in = Files.newInputStream(file)) {
            int n = in.readNBytes(head, 0, head.length);
            StringBuilder sb = new StringBuilder("'");
            for (int i = 0; i < n; i++) {
                char c = (char) (head[i] & 0xff);
                sb.append(c >= 32 && c < 127 ? c : '.');
            }
            return sb.append("…'").toString();
        }
    }

    private static List<String> sortedRows(Path csv) throws IOException {
        return Files.readAllLines(csv, StandardCharsets.UTF_8).stream()
                .sorted()
                .collect(Collectors.toList());
    }

    private static boolean allMatch(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        return lines.get(0).equals("name,age,job")
                && lines.stream()
                        .skip(1)
                        .map(l -> l.split(","))
                        .allMatch(f -> SimpleQuery.matches(f[2], Integer.parseInt(f[1])));
    }
}
