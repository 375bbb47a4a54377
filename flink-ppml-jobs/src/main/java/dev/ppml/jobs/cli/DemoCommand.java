package dev.ppml.jobs.cli;

import dev.ppml.attestation.policy.AttestationPolicy;
import dev.ppml.jobs.DecryptJob;
import dev.ppml.jobs.EncryptJob;
import dev.ppml.jobs.PeopleGenerator;
import dev.ppml.jobs.Progress;
import dev.ppml.jobs.SimpleQuery;
import dev.ppml.keys.KeyServiceOptions;
import dev.ppml.keys.KeyUri;
import dev.ppml.keys.kbs.KbsClientConfig;
import dev.ppml.keys.kbs.dev.DevKeyBroker;
import dev.ppml.keys.local.LocalKeystore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ppml demo}: the whole pipeline on embedded defaults — generate, keys, encrypt,
 * simple-query (DataStream and SQL), decrypt — narrated, ending with a check of the result against
 * the generator's expected count.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Runs generate -> keys -> encrypt -> simple-query (DataStream and SQL) -> decrypt on an"
                    + " embedded Flink cluster, narrating each step. The master key is served by a"
                    + " development key broker (Trustee KBS protocol) that releases it only after"
                    + " attestation, here with the simulated 'sample' TEE. Ends by checking the"
                    + " result against the generator's expected count."
        })
public final class DemoCommand implements Callable<Integer> {

    static final String MARKER = ".ppml-demo";

    @Spec CommandSpec spec;
    @Mixin FlinkOptions flink;

    @Option(
            names = "--rows",
            paramLabel = "N",
            description = "People to generate (default: ${DEFAULT-VALUE}).")
    long rows = 100_000;

    @Option(
            names = "--dir",
            paramLabel = "DIR",
            description = "Working directory, recreated on each run (default: ${DEFAULT-VALUE}).")
    Path dir = Path.of("ppml-demo");

    private PrintWriter out;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        prepare(dir);
        Path people = dir.resolve("people.csv");
        Path resources = dir.resolve("kbs-resources").toAbsolutePath();
        Path encrypted = dir.resolve("people-encrypted");
        Path resultDs = dir.resolve("result-datastream");
        Path resultSql = dir.resolve("result-sql");
        Path resultCsv = dir.resolve("result.csv");
        Path resultSqlCsv = dir.resolve("result-sql.csv");

        step(1, "Generating %d people into %s (name,age,job; seed 42)", rows, people);
        AtomicLong written = new AtomicLong();
        long expected;
        try (ProgressBar bar = ProgressBar.start("generating", rows, written::get)) {
            expected = PeopleGenerator.generate(rows, 42, people, written::set);
        }
        say("expected simple-query rows: %d", expected);

        step(2, "Creating a master key and giving it to a development key broker");
        Path keyFile = resources.resolve("default/key/people");
        LocalKeystore.create(KeyUri.parse("local:" + keyFile), false);
        AttestationPolicy policy = AttestationPolicy.strict();
        policy.allowSample = true;
        try (DevKeyBroker broker =
                DevKeyBroker.withPolicy(policy, null, resources, Clock.systemUTC())) {
            broker.start(0);
            String keyUri = "kbs://127.0.0.1:" + broker.port() + "/default/key/people";
            Map<String, String> kbs = new HashMap<>(flink.keyService().asMap());
            kbs.putIfAbsent(KbsClientConfig.TEE, "sample");
            kbs.putIfAbsent(KbsClientConfig.PLAINTEXT_HTTP, "true");
            KeyServiceOptions keyService = KeyServiceOptions.of(kbs);
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
            try (ProgressBar bar =
                    ProgressBar.start("encrypting", Files.size(people), Progress::bytes)) {
                encryptedRows =
                        EncryptJob.run(
                                flink.environment(),
                                keyUri,
                                keyService,
                                people.toString(),
                                encrypted.toString(),
                                true);
            }
            List<Path> files = list(encrypted);
            say(
                    "%d rows in %d encrypted files, e.g. %s starts with %s",
                    encryptedRows, files.size(), files.get(0).getFileName(), preview(files.get(0)));

            step(4, "SimpleQuery, DataStream API: keep %s", SimpleQuery.SQL_CONDITION);
            SimpleQuery.Result ds =
                    SimpleQuery.runDataStream(
                            flink.environment(),
                            keyUri,
                            keyService,
                            encrypted.toString(),
                            resultDs.toString());
            say(
                    "%d of %d rows kept; input by job: %s",
                    ds.outputRows, ds.inputRows(), ds.inputRowsByJob);

            step(
                    5,
                    "SimpleQuery, SQL ('format' = 'ppml' tables):%n%s",
                    SimpleQuery.peopleTableDdl("people", encrypted.toString(), keyUri, keyService));
            SimpleQuery.Result sql =
                    SimpleQuery.runSql(
                            flink.environment(),
                            keyUri,
                            keyService,
                            encrypted.toString(),
                            resultSql.toString());
            say(
                    "%d of %d rows kept; input by job: %s",
                    sql.outputRows, sql.inputRows(), sql.inputRowsByJob);

            step(6, "Decrypting both results into %s and %s", resultCsv, resultSqlCsv);
            long decrypted =
                    DecryptJob.run(
                            flink.environment(),
                            keyUri,
                            keyService,
                            resultDs.toString(),
                            resultCsv.toString(),
                            true);
            long decryptedSql =
                    DecryptJob.run(
                            flink.environment(),
                            keyUri,
                            keyService,
                            resultSql.toString(),
                            resultSqlCsv.toString(),
                            true);
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
            return ok ? 0 : 1;
        }
    }

    private void prepare(Path dir) throws IOException {
        if (Files.exists(dir)) {
            boolean empty;
            try (Stream<Path> entries = Files.list(dir)) {
                empty = entries.findAny().isEmpty();
            }
            if (!empty && !Files.exists(dir.resolve(MARKER))) {
                throw new IllegalArgumentException(
                        String.format(
                                "%s exists and was not made by 'ppml demo'; choose another --dir",
                                dir));
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(MARKER), "made by bin/ppml demo; deleted on the next run\n");
    }

    private void step(int n, String format, Object... args) {
        out.println();
        out.printf("[" + n + "/7] " + format + "%n", args);
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
        try (var in = Files.newInputStream(file)) {
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
