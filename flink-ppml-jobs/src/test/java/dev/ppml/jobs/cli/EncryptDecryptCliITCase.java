package dev.ppml.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/ppml encrypt} and {@code decrypt} on CSV whose records span lines (RFC 4180 quoted
 * newlines, {@code \r\n} inside fields and as terminators, doubled quotes, commas, empty fields,
 * non-ASCII): records are counted, moved and written whole, byte for byte. And decrypt's output
 * appears whole or not at all.
 */
class EncryptDecryptCliITCase {
    private static final int RECORDS = 2_100;
    private static final String HEADER = "id,name,note,city\r\n";

    @TempDir Path dir;
    private String keyUri;

    @BeforeEach
    void createKey() {
        keyUri = "local:" + dir.resolve("keys/master.json");
        BinPpml r = BinPpml.run(dir, "keys", "create", "--key-uri", keyUri);
        assertThat(r.exitCode).as(r.toString()).isZero();
    }

    @Test
    void parallelWritersKeepEveryRecordWhole() throws Exception {
        List<String> records = records(RECORDS, 7);
        Path input = write("people.csv", HEADER + String.join("", records));

        BinPpml encrypted = encrypt(input, "enc", "2");
        assertThat(encrypted.out).startsWith("encrypted " + RECORDS + " rows");
        try (var files = Files.list(dir.resolve("enc"))) {
            assertThat(files.count()).as("one file per writer").isEqualTo(2);
        }

        BinPpml decrypted = decrypt("enc", "people-dec.csv");
        assertThat(decrypted.out).startsWith("decrypted " + RECORDS + " rows");
        List<String> out = split(read("people-dec.csv"));
        assertThat(out.get(0)).isEqualTo(HEADER);
        assertThat(out.subList(1, out.size())).containsExactlyInAnyOrderElementsOf(records);
    }

    @Test
    void oneWriterGivesBackTheVeryBytes() throws Exception {
        // the last record has no terminator: that too comes back as it was
        String csv = HEADER + String.join("", records(RECORDS, 11));
        Path input = write("people.csv", csv.substring(0, csv.length() - 2));

        BinPpml encrypted = encrypt(input, "enc", "1");
        assertThat(encrypted.out).startsWith("encrypted " + RECORDS + " rows");
        BinPpml decrypted = decrypt("enc", "people-dec.csv");
        assertThat(decrypted.out).startsWith("decrypted " + RECORDS + " rows");

        assertThat(Files.readAllBytes(dir.resolve("people-dec.csv")))
                .isEqualTo(Files.readAllBytes(input));
    }

    @Test
    void aFailedDecryptLeavesTheEarlierOutputAsItWas() throws Exception {
        Path input = write("people.csv", HEADER + String.join("", records(300, 5)));
        encrypt(input, "enc", "2");
        List<Path> files;
        try (var list = Files.list(dir.resolve("enc"))) {
            files = list.sorted().toList();
        }
        // the second file read fails: by then the first one's records may have been written
        byte[] damaged = Files.readAllBytes(files.get(1));
        damaged[damaged.length - 1] ^= 1;
        Files.write(files.get(1), damaged);
        Path output = write("people-dec.csv", "the earlier output\n");

        BinPpml r = run("decrypt", "enc", output.toString());
        assertThat(r.exitCode).as(r.toString()).isEqualTo(1);
        assertThat(r.err).contains("ppml decrypt: error: authentication of file");
        assertThat(read("people-dec.csv")).isEqualTo("the earlier output\n");
        try (var list = Files.list(dir)) {
            assertThat(list.map(p -> p.getFileName().toString()))
                    .as("no incomplete output left behind")
                    .noneMatch(name -> name.contains("inprogress"));
        }
    }

    @Test
    void aDirectoryIsRefusedAsDecryptOutputNamingTheOption() throws Exception {
        Path input = write("people.csv", HEADER + String.join("", records(10, 5)));
        encrypt(input, "enc", "1");
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(out.resolve("keep.txt"), "mine");

        BinPpml r = run("decrypt", "enc", out.toString());
        assertThat(r.exitCode).as(r.toString()).isEqualTo(1);
        assertThat(r.errFirstLine())
                .startsWith("ppml decrypt: error: output " + out.toFile().toURI())
                .contains("is a directory, but this job writes one file; name a file instead")
                .contains("out/decrypted.csv")
                .endsWith("(--output)");
        assertThat(out.resolve("keep.txt")).hasContent("mine");
    }

    @Test
    void tableIdBindsTheFilesToTheirTable() throws Exception {
        Path input = write("people.csv", HEADER + String.join("", records(50, 3)));
        BinPpml encrypted =
                BinPpml.run(
                        dir,
                        "encrypt",
                        "-p",
                        "1",
                        "--key-uri",
                        keyUri,
                        "--table-id",
                        "people",
                        "--input",
                        input.toString(),
                        "--output",
                        dir.resolve("enc").toString());
        assertThat(encrypted.exitCode).as(encrypted.toString()).isZero();
        encrypt(input, "unbound", "1");

        BinPpml same = run("decrypt", "enc", dir.resolve("ok.csv").toString(), "people");
        assertThat(same.exitCode).as(same.toString()).isZero();
        assertThat(dir.resolve("ok.csv")).hasBinaryContent(Files.readAllBytes(input));

        BinPpml other = run("decrypt", "enc", dir.resolve("payroll.csv").toString(), "payroll");
        assertThat(other.exitCode).as(other.toString()).isEqualTo(1);
        assertThat(other.errFirstLine())
                .contains("belongs to table 'people'")
                .contains("expects files of table 'payroll'")
                .contains(".ppml");
        assertThat(dir.resolve("payroll.csv")).doesNotExist();

        BinPpml none = run("decrypt", "unbound", dir.resolve("none.csv").toString(), "people");
        assertThat(none.exitCode).as(none.toString()).isEqualTo(1);
        assertThat(none.errFirstLine()).contains("written without a table id");
    }

    private BinPpml run(String command, String input, String output, String tableId) {
        return BinPpml.run(
                dir,
                command,
                "--key-uri",
                keyUri,
                "--table-id",
                tableId,
                "--input",
                dir.resolve(input).toString(),
                "--output",
                output);
    }

    private BinPpml run(String command, String input, String output) {
        return BinPpml.run(
                dir,
                command,
                "--key-uri",
                keyUri,
                "--input",
                dir.resolve(input).toString(),
                "--output",
                output);
    }

    private BinPpml encrypt(Path input, String output, String parallelism) {
        BinPpml r =
                BinPpml.run(
                        dir,
                        "encrypt",
                        "-p",
                        parallelism,
                        "--key-uri",
                        keyUri,
                        "--input",
                        input.toString(),
                        "--output",
                        dir.resolve(output).toString());
        assertThat(r.exitCode).as(r.toString()).isZero();
        return r;
    }

    private BinPpml decrypt(String input, String output) {
        BinPpml r = run("decrypt", input, dir.resolve(output).toString());
        assertThat(r.exitCode).as(r.toString()).isZero();
        return r;
    }

    private Path write(String name, String text) throws Exception {
        return Files.write(dir.resolve(name), text.getBytes(StandardCharsets.UTF_8));
    }

    private String read(String name) throws Exception {
        return Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
    }

    /**
     * {@code n} records, each with its terminator ({@code \n} or {@code \r\n}); every kind of field
     * occurs many times, and one record is longer than any read buffer.
     */
    static List<String> records(int n, long seed) {
        Random random = new Random(seed);
        String[] notes = {
            "plain",
            "\"a\nb\"",
            "\"c\r\nd\"",
            "\"say \"\"hi\"\"\"",
            "\"x,y\"",
            "",
            "\"\"",
            "äöü中文",
            "\"äöü\n中文,\"\"\"",
            "\"\n\"",
            "\"\r\n\r\n\"",
        };
        String[] cities = {"Berlin", "\"São\r\nPaulo\"", "", "東京"};
        List<String> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String note = notes[random.nextInt(notes.length)];
            if (i == n / 2) {
                note = "\"" + "long\nfield,\"\"".repeat(10_000) + "\"";
            }
            String name = random.nextBoolean() ? "ann" + i : "\"bob " + i + "\"";
            String city = cities[random.nextInt(cities.length)];
            String terminator = random.nextBoolean() ? "\n" : "\r\n";
            records.add(i + "," + name + "," + note + "," + city + terminator);
        }
        return records;
    }

    /** The records of {@code csv}, each with its terminator: an independent RFC 4180 split. */
    static List<String> split(String csv) {
        List<String> records = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < csv.length(); i++) {
            char c = csv.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\n' && !quoted) {
                records.add(csv.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < csv.length()) {
            records.add(csv.substring(start));
        }
        return records;
    }
}
