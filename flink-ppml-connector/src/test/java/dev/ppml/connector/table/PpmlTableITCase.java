package dev.ppml.connector.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ppml.connector.format.CsvRecordReader;
import dev.ppml.connector.format.PpmlFiles;
import dev.ppml.connector.keys.MasterKey;
import dev.ppml.keys.testing.LocalKeys;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** SQL DDL with {@code 'format' = 'ppml'}: write and read back, csv (with header) and json. */
class PpmlTableITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir Path dir;

    @Test
    void csvWithHeaderAndCustomDelimiterRoundTrips() throws Exception {
        String keyUri = LocalKeys.create(dir, "master");
        Path path = dir.resolve("people");
        TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        tEnv.executeSql(
                "CREATE TABLE people (name STRING, age INT, job STRING) WITH ("
                        + "'connector'='filesystem','path'='"
                        + path.toUri()
                        + "','format'='ppml','ppml.format'='csv','ppml.key-uri'='"
                        + keyUri
                        + "','ppml.header'='true','ppml.csv.field-delimiter'=';')");
        tEnv.executeSql(
                        "INSERT INTO people VALUES ('ann', 31, 'Developer'), ('bob', 45,"
                                + " 'Engineer'), ('cy', 22, 'Developer')")
                .await();

        assertThat(collect(tEnv, "SELECT name, age FROM people WHERE job = 'Developer'"))
                .containsExactlyInAnyOrder("+I[ann, 31]", "+I[cy, 22]");

        List<String> plaintextFiles = decryptAll(keyUri, path);
        assertThat(plaintextFiles).isNotEmpty();
        assertThat(plaintextFiles).allSatisfy(p -> assertThat(p).startsWith("name;age;job\n"));
        assertThat(String.join("", plaintextFiles)).contains("ann;31;Developer\n");
    }

    @Test
    void jsonRoundTripsAndFilesAreEncrypted() throws Exception {
        String keyUri = LocalKeys.create(dir, "master");
        Path path = dir.resolve("events");
        TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        tEnv.executeSql(
                "CREATE TABLE events (id BIGINT, note STRING) WITH ("
                        + "'connector'='filesystem','path'='"
                        + path.toUri()
                        + "','format'='ppml','ppml.format'='json','ppml.key-uri'='"
                        + keyUri
                        + "','ppml.streaming-parameters'='AES128_GCM_HKDF_4KB')");
        tEnv.executeSql("INSERT INTO events VALUES (1, 'secret-one'), (2, 'secret-two')").await();

        assertThat(collect(tEnv, "SELECT id, note FROM events"))
                .containsExactlyInAnyOrder("+I[1, secret-one]", "+I[2, secret-two]");
        for (Path file : files(path)) {
            assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1))
                    .startsWith("PPML")
                    .doesNotContain("secret-one")
                    .contains("AES128_GCM_HKDF_4KB");
        }
    }

    /**
     * The csv plaintext inside ppml files is byte for byte what Flink's own csv format writes for
     * the same rows: the ppml writer runs Flink's csv file writer on the plaintext stream. Record
     * by record: the rows of a VALUES reach the writer in no defined order, even at parallelism 1.
     */
    @Test
    void csvPlaintextIsExactlyWhatFlinksCsvFormatWrites() throws Exception {
        String keyUri = LocalKeys.create(dir, "master");
        Path encrypted = dir.resolve("encrypted");
        Path plain = dir.resolve("plain");
        TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        String columns = "(id INT, note STRING, score DOUBLE)";
        tEnv.executeSql(
                "CREATE TABLE enc "
                        + columns
                        + " WITH ('connector'='filesystem','sink.parallelism'='1','path'='"
                        + encrypted.toUri()
                        + "','format'='ppml','ppml.format'='csv','ppml.key-uri'='"
                        + keyUri
                        + "')");
        tEnv.executeSql(
                "CREATE TABLE csv "
                        + columns
                        + " WITH ('connector'='filesystem','sink.parallelism'='1','path'='"
                        + plain.toUri()
                        + "','format'='csv')");
        String rows =
                " VALUES (1, 'plain', 1.5), (2, 'a,comma', -0.25), (3, 'a \"quote\"', 0.0),"
                        + " (4, '', 1e10), (5, CAST(NULL AS STRING), CAST(NULL AS DOUBLE)),"
                        + " (6, 'Zürich 東京', 2.0), (7, 'line one' || CHR(10) || 'line two', 3.0)";
        tEnv.executeSql("INSERT INTO enc" + rows).await();
        tEnv.executeSql("INSERT INTO csv" + rows).await();

        String expected;
        List<Path> plainFiles = files(plain);
        assertThat(plainFiles).hasSize(1);
        expected = Files.readString(plainFiles.get(0), StandardCharsets.UTF_8);
        assertThat(expected).contains("\"a \"\"quote\"\"\"").contains("Zürich 東京");
        List<String> decrypted = decryptAll(keyUri, encrypted);
        assertThat(decrypted).hasSize(1);
        assertThat(csvRecords(decrypted.get(0)))
                .containsExactlyInAnyOrderElementsOf(csvRecords(expected))
                .hasSize(7);
    }

    /**
     * Values with line breaks, quotes and delimiters are quoted by the writer and come back whole:
     * the reader hands Flink's csv deserializer one RFC 4180 record at a time, not one line.
     */
    @Test
    void csvValuesWithLineBreaksQuotesAndDelimitersReadBackEqual() throws Exception {
        String keyUri = LocalKeys.create(dir, "master");
        List<String> notes =
                List.of(
                        "a\nb",
                        "c\r\nd",
                        "\"q\"",
                        "x,y",
                        "",
                        "äöü中文",
                        "\n",
                        "e\rf",
                        "\"\r\n\",\n\"",
                        "line\n".repeat(20_000)); // longer than the reader's buffer
        for (String quote : List.of("\"", "'")) {
            Path path = dir.resolve("notes" + (quote.equals("'") ? "-single" : ""));
            TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inBatchMode());
            tEnv.executeSql(
                    "CREATE TABLE notes (id INT, note STRING, tail STRING) WITH ("
                            + "'connector'='filesystem','path'='"
                            + path.toUri()
                            + "','format'='ppml','ppml.format'='csv','ppml.key-uri'='"
                            + keyUri
                            + "','ppml.header'='true','ppml.csv.quote-character'='"
                            + quote.replace("'", "''")
                            + "')");
            StringBuilder values = new StringBuilder();
            for (int i = 0; i < notes.size(); i++) {
                String note =
                        i == notes.size() - 1
                                ? "REPEAT('line' || CHR(10), 20000)"
                                : sqlString(notes.get(i));
                values.append(i == 0 ? "" : ", ")
                        .append(String.format("(%d, %s, 'end %d')", i, note, i));
            }
            tEnv.executeSql("INSERT INTO notes VALUES " + values).await();

            List<Row> rows = new ArrayList<>();
            try (CloseableIterator<Row> it =
                    tEnv.executeSql("SELECT id, note, tail FROM notes").collect()) {
                it.forEachRemaining(rows::add);
            }
            assertThat(rows).as("quote %s", quote).hasSize(notes.size());
            for (Row row : rows) {
                int id = (Integer) row.getField(0);
                assertThat(row.getField(1))
                        .as("quote %s, row %d", quote, id)
                        .isEqualTo(notes.get(id));
                assertThat(row.getField(2)).isEqualTo("end " + id);
            }
            assertThat(String.join("", decryptAll(keyUri, path)))
                    .as("the plaintext holds quoted line breaks")
                    .contains(quote + "a\nb" + quote)
                    .contains(quote + "c\r\nd" + quote);
        }
    }

    /** {@code s} as a SQL string literal, line breaks as {@code CHR}. */
    private static String sqlString(String s) {
        return "'"
                + s.replace("'", "''")
                        .replace("\r", "' || CHR(13) || '")
                        .replace("\n", "' || CHR(10) || '")
                + "'";
    }

    @Test
    void tableIdBindsFilesToTheirTable() throws Exception {
        String keyUri = LocalKeys.create(dir, "master");
        Path people = dir.resolve("people");
        TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        String ddl =
                " (id INT, name STRING) WITH ('connector'='filesystem','path'='"
                        + people.toUri()
                        + "','format'='ppml','ppml.format'='csv','ppml.key-uri'='"
                        + keyUri
                        + "','ppml.table-id'='";
        tEnv.executeSql("CREATE TABLE people" + ddl + "people')");
        tEnv.executeSql("CREATE TABLE payroll" + ddl + "payroll')");
        tEnv.executeSql("INSERT INTO people VALUES (1, 'ann'), (2, 'bob')").await();

        for (Path file : files(people)) {
            try (InputStream in = Files.newInputStream(file)) {
                assertThat(PpmlFiles.readHeader(in, file.toString()).tableId()).hasValue("people");
            }
        }
        assertThat(collect(tEnv, "SELECT * FROM people"))
                .containsExactlyInAnyOrder("+I[1, ann]", "+I[2, bob]");
        assertThatThrownBy(() -> collect(tEnv, "SELECT * FROM payroll"))
                .satisfies(
                        e ->
                                assertThat(ExceptionUtils.stringifyException(e))
                                        .contains("belongs to table 'people'")
                                        .contains("expects files of table 'payroll'"));
    }

    private static final String COLUMNS =
            "id INT, b BOOLEAN, t TINYINT, s SMALLINT, l BIGINT, f FLOAT, d DOUBLE,"
                    + " amount DECIMAL(12, 3), str STRING, ch CHAR(3), bin BYTES, dt DATE,"
                    + " tm TIME(0), ts TIMESTAMP(3), ints ARRAY<INT>, strs ARRAY<STRING>,"
                    + " nested ROW<x INT, y STRING>";

    /** Rows with delimiters, quotes, line breaks, '#', backslashes and nulls in the strings. */
    private static final String VALUES =
            "SELECT CAST(n AS INT), MOD(n, 2) = 0, CAST(MOD(n, 100) AS TINYINT),"
                    + " CAST(n * 7 AS SMALLINT), CAST(n AS BIGINT) * 1000003,"
                    + " CAST(n AS FLOAT) / 8, CAST(n AS DOUBLE) / 3,"
                    + " CAST(n / 7.0 AS DECIMAL(12, 3)),"
                    + " CASE MOD(n, 9) WHEN 0 THEN CAST(NULL AS STRING) WHEN 1 THEN ''"
                    + "   WHEN 2 THEN 'a,b;c|d' WHEN 3 THEN 'say \"hi\"' WHEN 4 THEN 'it''s'"
                    + "   WHEN 5 THEN 'line' || CHR(10) || 'break' || CHR(13) || CHR(10) || 'x'"
                    + "   WHEN 6 THEN '#hash' WHEN 7 THEN 'back\\slash'"
                    + "   ELSE REPEAT('long text ', 700) END,"
                    + " CAST('c' || CAST(MOD(n, 10) AS STRING) || 'x' AS CHAR(3)),"
                    + " CAST(CAST(n AS STRING) AS BYTES),"
                    + " DATE '2020-01-01' + CAST(MOD(n, 1000) AS INT) * INTERVAL '1' DAY,"
                    + " TIME '10:11:12', TIMESTAMP '2021-03-04 05:06:07.890',"
                    + " ARRAY[CAST(n AS INT), 2], ARRAY['u', 'v'],"
                    + " ROW(CAST(n AS INT), 'y')"
                    + " FROM (SELECT CAST(n AS BIGINT) AS n FROM UNNEST(%s) AS t(n))";

    /**
     * The same rows read through {@code 'format' = 'csv'} and through {@code 'format' = 'ppml'}
     * with {@code 'ppml.format' = 'csv'} and the same csv options: equal, for several option sets,
     * every type the csv format reads, with and without a header, and projected (split reads:
     * {@code CsvSplitReadTest}).
     */
    @Test
    void ppmlReadsTheRowsFormatCsvReads() throws Exception {
        String keyUri = LocalKeys.create(dir, "master");
        List<Map<String, String>> optionSets =
                List.of(
                        Map.of(),
                        Map.of("field-delimiter", ";", "null-literal", "n/a"),
                        Map.of("quote-character", "'", "allow-comments", "true"),
                        Map.of("escape-character", "\\", "array-element-delimiter", "|"),
                        Map.of("field-delimiter", "\\t", "ignore-parse-errors", "true"));
        int set = 0;
        for (Map<String, String> options : optionSets) {
            for (boolean header : new boolean[] {false, true}) {
                set++;
                TableEnvironment t = TableEnvironment.create(EnvironmentSettings.inBatchMode());
                t.getConfig().set("table.exec.resource.default-parallelism", "2");
                String csvOptions =
                        options.entrySet().stream()
                                .map(
                                        e ->
                                                String.format(
                                                        ",'csv.%s'='%s'",
                                                        e.getKey(),
                                                        e.getValue().replace("'", "''")))
                                .collect(Collectors.joining());
                t.executeSql(
                        String.format(
                                "CREATE TABLE plain (%s) WITH ('connector'='filesystem',"
                                        + "'path'='%s','format'='csv'%s)",
                                COLUMNS, dir.resolve("plain-" + set).toUri(), csvOptions));
                t.executeSql(
                        String.format(
                                "CREATE TABLE enc (%s) WITH ('connector'='filesystem',"
                                        + "'path'='%s','format'='ppml','ppml.format'='csv',"
                                        + "'ppml.key-uri'='%s','ppml.header'='%s'%s)",
                                COLUMNS,
                                dir.resolve("enc-" + set).toUri(),
                                keyUri,
                                header,
                                csvOptions.replace("'csv.", "'ppml.csv.")));
                t.executeSql("INSERT INTO plain " + String.format(VALUES, numbers(400))).await();
                t.executeSql("INSERT INTO enc SELECT * FROM plain").await();

                List<String> plain = collect(t, "SELECT * FROM plain");
                assertThat(plain).as("options %s", options).hasSize(400);
                assertThat(collect(t, "SELECT * FROM enc"))
                        .as("options %s, header %s", options, header)
                        .containsExactlyInAnyOrderElementsOf(plain);
                assertThat(collect(t, "SELECT str, id FROM enc WHERE MOD(id, 9) = 5"))
                        .as("projected, options %s, header %s", options, header)
                        .containsExactlyInAnyOrderElementsOf(
                                collect(t, "SELECT str, id FROM plain WHERE MOD(id, 9) = 5"));
            }
        }
    }

    private static String numbers(int n) {
        StringBuilder s = new StringBuilder("ARRAY[");
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "" : ",").append(i);
        }
        return s.append(']').toString();
    }

    private static List<String> collect(TableEnvironment tEnv, String query) throws Exception {
        List<String> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = tEnv.executeSql(query).collect()) {
            it.forEachRemaining(r -> rows.add(r.toString()));
        }
        return rows;
    }

    private static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .collect(Collectors.toList());
        }
    }

    /** The RFC 4180 records of {@code csv}, each with its terminator. */
    private static List<String> csvRecords(String csv) throws Exception {
        List<String> records = new ArrayList<>();
        try (CsvRecordReader r =
                new CsvRecordReader(
                        new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)),
                        "csv",
                        CsvRecordReader.Syntax.RFC_4180)) {
            for (byte[] record; (record = r.nextWithTerminator()) != null; ) {
                records.add(new String(record, StandardCharsets.UTF_8));
            }
        }
        return records;
    }

    private static List<String> decryptAll(String keyUri, Path dir) throws Exception {
        List<String> out = new ArrayList<>();
        for (Path file : files(dir)) {
            try (InputStream in =
                    PpmlFiles.decrypt(
                            Files.newInputStream(file), MasterKey.of(keyUri), file.toString())) {
                out.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
