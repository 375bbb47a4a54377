package dev.ppml.connector.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.junit.jupiter.api.Test;

class RecordDecodersTest {

    private static List<String> lines(String text) throws Exception {
        RecordDecoders.LineReader r =
                new RecordDecoders.LineReader(
                        new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        List<String> out = new ArrayList<>();
        for (byte[] l; (l = r.next()) != null; ) {
            out.add(new String(l, StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void splitsOnNewlinesDroppingCarriageReturns() throws Exception {
        assertThat(lines("a\r\nb\n\nc")).containsExactly("a", "b", "", "c");
        assertThat(lines("")).isEmpty();
        assertThat(lines("only\n")).containsExactly("only");
    }

    @Test
    void linesLongerThanTheBufferAndAcrossItsBoundaries() throws Exception {
        String longLine = "x".repeat(200_000);
        String filler = "y".repeat(64 * 1024 - 3);
        assertThat(lines(longLine + "\n" + filler + "\nab\ncd"))
                .containsExactly(longLine, filler, "ab", "cd");
    }

    private static List<String> decode(RecordDecoder<String> decoder, String text)
            throws IOException {
        List<String> out = new ArrayList<>();
        try (RecordDecoder.RecordReader<String> r =
                decoder.open(
                        new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "f.csv")) {
            for (String s; (s = r.read()) != null; ) {
                out.add(s);
            }
        }
        return out;
    }

    @Test
    void csvRecordsHandTheSchemaWholeRecordsWithoutTerminators() throws Exception {
        RecordDecoder<String> csv = RecordDecoders.csvRecords(new SimpleStringSchema(), 1);
        assertThat(decode(csv, "h,\"e\nader\"\r\n1,\"a\nb\"\r\n\r\n2,\"c\r\nd\"\n3,\"\"\"\""))
                .as("header and empty records skipped")
                .containsExactly("1,\"a\nb\"", "2,\"c\r\nd\"", "3,\"\"\"\"");
        RecordDecoder<String> singleQuotes =
                RecordDecoders.csvRecords(
                        new SimpleStringSchema(),
                        0,
                        CsvRecordReader.Syntax.RFC_4180.withQuote('\''));
        assertThat(decode(singleQuotes, "'a\nb',\"\nc")).containsExactly("'a\nb',\"", "c");
    }

    @Test
    void csvParseFailuresNameTheRecordNotItsContent() {
        RecordDecoder<String> failing =
                RecordDecoders.csvRecords(
                        new SimpleStringSchema() {
                            @Override
                            public String deserialize(byte[] message) {
                                String s = new String(message, StandardCharsets.UTF_8);
                                if (s.contains("secret")) {
                                    throw new IllegalStateException(s);
                                }
                                return s;
                            }
                        },
                        0);
        assertThatThrownBy(() -> decode(failing, "a\n\"b\nc\"\n\"the\nsecret\"\n"))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("file f.csv, record 3: the inner format could not parse")
                .hasMessageNotContaining("secret")
                .hasNoCause();
    }
}
