package dev.ppml.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ppml.connector.format.PpmlFiles;
import dev.ppml.connector.keys.MasterKey;
import dev.ppml.keys.testing.LocalKeys;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQL jar as a SQL user meets it: Flink's own SQL Client, in a fresh JVM whose class path is
 * Flink's jars alone, given only {@code --jar flink-ppml-sql-connector.jar}. It writes a {@code
 * 'format' = 'ppml'} table, reads it back with a filter, and the files it wrote decrypt, outside
 * the SQL Client, to exactly the rows inserted.
 */
class SqlConnectorJarITCase {

    private static final Path JAR = Path.of(System.getProperty("sql.connector.jar"));
    private static final Path FLINK_CLASSPATH = Path.of("target/flink-sql-client-classpath.txt");

    /** Flink's usual module opens on Java 17 (the build's flink.test.jvm.opens). */
    private static final List<String> JAVA_OPENS =
            List.of(System.getProperty("flink.jvm.opens").trim().split("\\s+"));

    @TempDir Path dir;

    @Test
    void theJarIsSelfContainedAndRelocated() throws IOException {
        assertThat(JAR).as("the shaded jar (built in the package phase)").exists();
        List<String> entries;
        String factories;
        try (JarFile jar = new JarFile(JAR.toFile())) {
            entries = jar.stream().map(e -> e.getName()).collect(Collectors.toList());
            try (InputStream in =
                    jar.getInputStream(
                            jar.getEntry(
                                    "META-INF/services/org.apache.flink.table.factories.Factory"))) {
                factories = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        assertThat(factories).contains("dev.ppml.connector.table.PpmlFormatFactory");
        assertThat(entries)
                .contains(
                        "dev/ppml/connector/table/PpmlFormatFactory.class",
                        "dev/ppml/keys/KeyReference.class",
                        "dev/ppml/attestation/tdx/TdxQuote.class",
                        "META-INF/services/dev.ppml.keys.KeyServiceFactory")
                .anyMatch(e -> e.startsWith("dev/ppml/shaded/com/google/crypto/tink/"))
                .anyMatch(e -> e.startsWith("dev/ppml/shaded/com/google/protobuf/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/"))
                .noneMatch(e -> e.startsWith("com/google/"))
                .noneMatch(e -> e.startsWith("com/fasterxml/"))
                .noneMatch(e -> e.startsWith("com/nimbusds/"))
                .noneMatch(e -> e.startsWith("org/slf4j/"))
                .noneMatch(e -> e.startsWith("dev/ppml/oss/"))
                .noneMatch(e -> e.startsWith("dev/ppml/broker/"));
    }

    @Test
    void theSqlClientWritesAndReadsPpmlTablesWithOnlyThisJar() throws Exception {
        String keyUri = LocalKeys.create(dir, "master");
        Path encrypted = dir.resolve("people-enc");
        Path kept = dir.resolve("kept-enc");
        Path script = dir.resolve("people.sql");
        Files.writeString(
                script,
                String.join(
                        "\n",
                        "SET 'sql-client.execution.result-mode' = 'tableau';",
                        "SET 'execution.runtime-mode' = 'batch';",
                        "SET 'table.dml-sync' = 'true';",
                        table("people", encrypted, keyUri),
                        table("kept", kept, keyUri),
                        "INSERT INTO people VALUES ('alice', 30, 'Developer'),"
                                + " ('bob', 45, 'Developer'), ('carol', 25, 'Engineer'),"
                                + " ('dave', 20, 'Developer');",
                        "INSERT INTO kept SELECT name, age, job FROM people"
                                + " WHERE job = 'Developer' AND age BETWEEN 20 AND 40;",
                        "SELECT name FROM kept ORDER BY name;",
                        ""));
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(
                conf.resolve("config.yaml"),
                "execution:\n  target: local\nparallelism:\n  default: 1\n");
        Files.writeString(
                conf.resolve("log4j-cli.properties"),
                "rootLogger.level = WARN\n"
                        + "rootLogger.appenderRef.console.ref = C\n"
                        + "appender.console.type = Console\n"
                        + "appender.console.name = C\n"
                        + "appender.console.layout.type = PatternLayout\n"
                        + "appender.console.layout.pattern = %p %c{1} - %m%n\n");

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JAVA_OPENS);
        command.add("-Dlog4j.configurationFile=" + conf.resolve("log4j-cli.properties"));
        command.add("-cp");
        command.add(Files.readString(FLINK_CLASSPATH).trim());
        command.add("org.apache.flink.table.client.SqlClient");
        command.add("--jar");
        command.add(JAR.toAbsolutePath().toString());
        command.add("-f");
        command.add(script.toString());
        ProcessBuilder pb =
                new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("FLINK_CONF_DIR", conf.toString());
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process sqlClient = pb.start();
        String output =
                new String(sqlClient.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(sqlClient.waitFor(3, TimeUnit.MINUTES)).as(output).isTrue();

        assertThat(sqlClient.exitValue()).as(output).isZero();
        assertThat(output)
                .as(output)
                .doesNotContain("[ERROR]")
                .containsPattern("\\|\\s+alice \\|")
                .containsPattern("\\|\\s+dave \\|")
                .contains("2 rows in set")
                .doesNotContain("bob |")
                .doesNotContain("carol |");

        // what the SQL Client wrote is ppml: unreadable as text, and exactly the kept rows
        List<String> rows = new ArrayList<>();
        for (Path file : files(kept)) {
            byte[] bytes = Files.readAllBytes(file);
            assertThat(new String(bytes, StandardCharsets.ISO_8859_1))
                    .startsWith("PPML")
                    .doesNotContain("alice");
            try (InputStream plain =
                    PpmlFiles.decrypt(
                            Files.newInputStream(file),
                            MasterKey.of(keyUri),
                            file.getFileName().toString())) {
                new String(plain.readAllBytes(), StandardCharsets.UTF_8)
                        .lines()
                        .skip(1)
                        .forEach(rows::add);
            }
        }
        assertThat(rows).containsExactlyInAnyOrder("alice,30,Developer", "dave,20,Developer");
    }

    private static String table(String name, Path location, String keyUri) {
        return String.format(
                "CREATE TABLE %s (name STRING, age INT, job STRING) WITH ("
                        + " 'connector' = 'filesystem', 'path' = '%s', 'format' = 'ppml',"
                        + " 'ppml.format' = 'csv', 'ppml.header' = 'true', 'ppml.key-uri' = '%s');",
                name, location.toUri(), keyUri);
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .collect(Collectors.toList());
        }
    }
}
