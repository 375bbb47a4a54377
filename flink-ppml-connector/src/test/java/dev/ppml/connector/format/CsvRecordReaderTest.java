package dev.ppml.connector.format;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CsvRecordReaderTest {
    private static final CsvRecordReader.Syntax RFC = CsvRecordReader.Syntax.RFC_4180;

    /** The records of {@code csv}, with terminators, read through a buffer of {@code size}. */
    private static List<String> withTerminators(String csv, CsvRecordReader.Syntax s, int size)
            throws IOException {
        List<String> records = new ArrayList<>();
        try (CsvRecordReader r = new CsvRecordReader(stream(csv), "f.csv", s, size)) {
            byte[] record;
            while ((record = r.nextWithTerminator()) != null) {
                records.add(new String(record, UTF_8));
                assertThat(r.recordNumber()).isEqualTo(records.size());
            }
            assertThat(r.nextWithTerminator()).as("still at the end").isNull();
        }
        return records;
    }

    private static List<String> withoutTerminators(String csv, CsvRecordReader.Syntax s, int size)
            throws IOException {
        List<String> records = new ArrayList<>();
        try (CsvRecordReader r = new CsvRecordReader(stream(csv), "f.csv", s, size)) {
            byte[] record;
            while ((record = r.next()) != null) {
                records.add(new String(record, UTF_8));
            }
        }
        return records;
    }

    private static List<String> records(String csv) throws IOException {
        return withTerminators(csv, RFC, CsvRecordReader.BUFFER_SIZE);
    }

    /** A stream that refuses single-byte reads: the reader fills its buffer, not byte by byte. */
    private static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(UTF_8)) {
            @Override
            public synchronized int read() {
                throw new AssertionError("the reader must not read byte by byte");
            }
        };
    }

    /** Like {@link #stream}, handing out at most {@code max} bytes a read. */
    private static InputStream trickle(String text, int max) {
        return new ByteArrayInputStream(text.getBytes(UTF_8)) {
            @Override
            public synchronized int read() {
                throw new AssertionError("the reader must not read byte by byte");
            }

            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, max));
            }
        };
    }

    @Test
    void recordsEndAtLineBreaksOutsideQuotesAndKeepTheirTerminators() throws IOException {
        assertThat(records("a,b\nc,d\r\ne,f")).containsExactly("a,b\n", "c,d\r\n", "e,f");
        assertThat(records("a\n")).containsExactly("a\n");
        assertThat(records("")).isEmpty();
        assertThat(records("\n\r\n")).containsExactly("\n", "\r\n");
        assertThat(records("a\rb\r"))
                .as("a lone CR ends a record, as for Flink's csv format")
                .containsExactly("a\r", "b\r");
    }

    @Test
    void quotedFieldsHoldLineBreaksQuotesAndDelimiters() throws IOException {
        String csv =
                "1,\"a\nb\",x\n"
                        + "2,\"c\r\nd\"\r\n"
                        + "3,\"say \"\"hi\"\"\",\"x,y\"\n"
                        + "4,,\"\"\n"
                        + "5,äöü中文,\"中\n文\"\n"
                        + "6,\"\"\"\n\"\"\"\n"
                        + "7,\"\r\"\r";
        assertThat(records(csv))
                .containsExactly(
                        "1,\"a\nb\",x\n",
                        "2,\"c\r\nd\"\r\n",
                        "3,\"say \"\"hi\"\"\",\"x,y\"\n",
                        "4,,\"\"\n",
                        "5,äöü中文,\"中\n文\"\n",
                        "6,\"\"\"\n\"\"\"\n",
                        "7,\"\r\"\r");
        assertThat(withoutTerminators(csv, RFC, CsvRecordReader.BUFFER_SIZE))
                .containsExactly(
                        "1,\"a\nb\",x",
                        "2,\"c\r\nd\"",
                        "3,\"say \"\"hi\"\"\",\"x,y\"",
                        "4,,\"\"",
                        "5,äöü中文,\"中\n文\"",
                        "6,\"\"\"\n\"\"\"",
                        "7,\"\r\"");
    }

    @Test
    void everyBufferSizeSplitsTheSame() throws IOException {
        String csv = "id,\"a\r\nb\"\r\n\"x\"\"\ny\",\r\n\n\"\",äöü\r\rend\r\n\"q\"";
        List<String> expected =
                List.of(
                        "id,\"a\r\nb\"\r\n",
                        "\"x\"\"\ny\",\r\n",
                        "\n",
                        "\"\",äöü\r",
                        "\r",
                        "end\r\n",
                        "\"q\"");
        for (int size = 1; size <= csv.length() + 1; size++) {
            assertThat(withTerminators(csv, RFC, size))
                    .as("buffer of %d", size)
                    .isEqualTo(expected);
            assertThat(withoutTerminators(csv, RFC, size))
                    .as("buffer of %d", size)
                    .isEqualTo(expected.stream().map(CsvRecordReaderTest::strip).toList());
        }
    }

    @Test
    void aCrLfSplitAcrossTheBufferBoundaryIsOneTerminator() throws IOException {
        int size = CsvRecordReader.BUFFER_SIZE;
        String first = "x".repeat(size - 1); // its \r is the buffer's last byte, the \n the next's
        List<String> records = records(first + "\r\nsecond\r\n");
        assertThat(records).containsExactly(first + "\r\n", "second\r\n");
        assertThat(withoutTerminators(first + "\r\nsecond", RFC, size))
                .containsExactly(first, "second");
        // a lone \r at the boundary, then a record
        assertThat(records(first + "\rsecond")).containsExactly(first + "\r", "second");
        // and at the very end of the input
        assertThat(records(first + "\r")).containsExactly(first + "\r");
    }

    @Test
    void recordsLongerThanTheBufferStraddleItsBoundaries() throws IOException {
        int size = CsvRecordReader.BUFFER_SIZE;
        String quoted = "\"" + "line\r\n\"\",".repeat(3 * size / 8) + "\"";
        String csv = "a,b\n1," + quoted + "\r\n" + "2," + quoted + "\n3,end";
        assertThat(records(csv))
                .containsExactly("a,b\n", "1," + quoted + "\r\n", "2," + quoted + "\n", "3,end");
    }

    @Test
    void randomRecordsComeBackAsWrittenThroughAnyBuffer() throws IOException {
        String[] fields = {
            "",
            "plain",
            "\"\"",
            "\"a\nb\"",
            "\"c\r\nd\"",
            "\"\"\"q\"\"\"",
            "\"x,y\"",
            "äöü中文",
            "\"\r\n\r\n\"",
            "\"\r\""
        };
        String[] terminators = {"\n", "\r\n", "\r"};
        Random random = new Random(3);
        for (int round = 0; round < 50; round++) {
            List<String> expected = new ArrayList<>();
            StringBuilder csv = new StringBuilder();
            int n = 1 + random.nextInt(30);
            for (int i = 0; i < n; i++) {
                StringBuilder record = new StringBuilder();
                int columns = 1 + random.nextInt(4);
                for (int c = 0; c < columns; c++) {
                    record.append(c == 0 ? "" : ",").append(fields[random.nextInt(fields.length)]);
                }
                if (record.length() == 0) {
                    record.append('k'); // an empty last record without terminator is no record
                }
                if (i < n - 1 || random.nextBoolean()) {
                    record.append(terminators[random.nextInt(terminators.length)]);
                }
                expected.add(record.toString());
                csv.append(record);
            }
            int size = 1 + random.nextInt(40);
            assertThat(withTerminators(csv.toString(), RFC, size))
                    .as("round %d, buffer of %d", round, size)
                    .isEqualTo(expected);
            List<String> trickled = new ArrayList<>();
            try (CsvRecordReader r =
                    new CsvRecordReader(trickle(csv.toString(), 1 + round % 7), "f", RFC)) {
                byte[] record;
                while ((record = r.nextWithTerminator()) != null) {
                    trickled.add(new String(record, UTF_8));
                }
            }
            assertThat(trickled).as("round %d, short reads", round).isEqualTo(expected);
        }
    }

    @Test
    void anUnclosedQuoteNamesFileAndRecordButNotTheContent() {
        String csv = "h\n1,ok\n2,\"secret\nvalue,\r\nmore";
        assertThatThrownBy(() -> records(csv))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("file f.csv, record 3:")
                .hasMessageContaining("quoted field is not closed")
                .hasMessageNotContaining("secret")
                .hasMessageNotContaining("value")
                .hasNoCause();
    }

    @Test
    void otherQuoteEscapeAndCommentSyntaxes() throws IOException {
        int size = 5;
        assertThat(withTerminators("'a\nb',\"\nc\n", RFC.withQuote('\''), size))
                .containsExactly("'a\nb',\"\n", "c\n");
        assertThat(withTerminators("\"a\nb\"\n", RFC.withoutQuote(), size))
                .containsExactly("\"a\n", "b\"\n");
        assertThat(withTerminators("\"a\\\"\nb\"\nx\\\ny\nz", RFC.withEscape('\\'), size))
                .containsExactly("\"a\\\"\nb\"\n", "x\\\ny\n", "z");
        try (CsvRecordReader r =
                new CsvRecordReader(
                        stream("# a \"quote\n1,2\n#\r\n3\n"), "f", RFC.withComments())) {
            assertThat(new String(r.next(), UTF_8)).isEqualTo("1,2");
            assertThat(r.recordNumber()).isEqualTo(1);
            assertThat(new String(r.nextWithTerminator(), UTF_8)).isEqualTo("3\n");
            assertThat(r.recordNumber()).isEqualTo(2);
            assertThat(r.next()).isNull();
        }
        assertThat(withTerminators("#x\n", RFC, size))
                .as("without comments: a record")
                .containsExactly("#x\n");
    }

    @Test
    void quoteAndEscapeMustBeAsciiAndNoLineBreak() {
        assertThatThrownBy(() -> RFC.withQuote('«'))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("quote character must be ASCII");
        assertThatThrownBy(() -> RFC.withEscape('\n'))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("escape character must be ASCII and not a line break");
    }

    private static String strip(String record) {
        if (record.endsWith("\r\n")) {
            return record.substring(0, record.length() - 2);
        }
        if (record.endsWith("\n") || record.endsWith("\r")) {
            return record.substring(0, record.length() - 1);
        }
        return record;
    }

    @Test
    void theRestIsExactlyTheInputAfterTheLastRecordWhateverTheBufferHeld() throws IOException {
        String header = "id,\"a header\r\nwith a line break\"\r\n";
        String rest = "1,x\n2,\"y\nz\"\n".repeat(50);
        for (int size : new int[] {1, 2, 7, 64, 4096}) {
            CsvRecordReader r = new CsvRecordReader(stream(header + rest), "f.csv", RFC, size);
            assertThat(new String(r.next(), UTF_8))
                    .isEqualTo(header.substring(0, header.length() - 2));
            try (InputStream after = r.rest()) {
                assertThat(new String(after.readAllBytes(), UTF_8))
                        .as("buffer %d", size)
                        .isEqualTo(rest);
            }
        }
    }
}
