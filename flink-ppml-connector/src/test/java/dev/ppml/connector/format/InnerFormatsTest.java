package dev.ppml.connector.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.junit.jupiter.api.Test;

/** The inner formats: CsvLines, JsonLines and the adapters of Flink's serializers. */
class InnerFormatsTest {

    /** A POJO. */
    public static class Row {
        public String name;
        public int age;

        public Row() {}

        Row(String name, int age) {
            this.name = name;
            this.age = age;
        }
    }

    @Test
    void csvWithHeaderQuotesAndRoundTrips() throws Exception {
        CsvLines<Row> csv = CsvLines.forPojo(Row.class, "name", "age").withHeader();
        String text = encode(csv, new Row("ann", 31), new Row("o'brien, jr", 40));
        assertThat(text).isEqualTo("name,age\nann,31\n\"o'brien, jr\",40\n");

        List<Row> rows = decode(csv, text);
        assertThat(rows).extracting(r -> r.name).containsExactly("ann", "o'brien, jr");
        assertThat(rows).extracting(r -> r.age).containsExactly(31, 40);
        assertThat(csv.getProducedType().getTypeClass()).isEqualTo(Row.class);
    }

    @Test
    void csvHeaderIsWrittenForEmptyFilesToo() throws Exception {
        CsvLines<Row> csv = CsvLines.forPojo(Row.class, "name", "age").withHeader();
        assertThat(encode(csv)).isEqualTo("name,age\n");
        assertThat(decode(csv, "name,age\n")).isEmpty();
    }

    @Test
    void csvDelimiter() throws Exception {
        CsvLines<Row> csv = CsvLines.forPojo(Row.class, "name", "age").withDelimiter(';');
        assertThat(encode(csv, new Row("a", 1))).isEqualTo("a;1\n");
        assertThat(decode(csv, "b;2\n").get(0).age).isEqualTo(2);
    }

    @Test
    void malformedRowNamesFileAndLineButNotTheContent() {
        CsvLines<Row> csv = CsvLines.forPojo(Row.class, "name", "age").withHeader();
        assertThatThrownBy(() -> decode(csv, "name,age\nann,31\nsecret-name,not-a-number\n"))
                .hasMessageContaining("file f.ppml, line 3")
                .hasMessageContaining("record's content is not shown")
                .hasNoCause()
                .message()
                .doesNotContain("secret-name")
                .doesNotContain("not-a-number");
    }

    @Test
    void jsonLinesRoundTrip() throws Exception {
        JsonLines<Row> json = JsonLines.forPojo(Row.class);
        String text = encode(json, new Row("ann", 31), new Row("bob", 45));
        assertThat(text)
                .isEqualTo("{\"name\":\"ann\",\"age\":31}\n{\"name\":\"bob\",\"age\":45}\n");
        assertThat(decode(json, text)).extracting(r -> r.name).containsExactly("ann", "bob");
        assertThatThrownBy(() -> decode(json, "{\"name\":\"x\",\"age\":\"old\"}\n"))
                .hasMessageContaining("line 1")
                .message()
                .doesNotContain("old");
    }

    @Test
    void flinkSerializerAdapters() throws Exception {
        RecordEncoder<String> lines = RecordEncoders.lines(new SimpleStringSchema(), "h", "lines");
        assertThat(encode(lines, "a", "b\n")).isEqualTo("h\na\nb\n");
        assertThat(encode(RecordEncoders.fromEncoder(new SimpleStringEncoder<String>()), "x"))
                .isEqualTo("x\n");

        RecordDecoder<String> skipHeader = RecordDecoders.lines(new SimpleStringSchema(), 1);
        assertThat(decode(skipHeader, "h\r\na\r\n\r\nb")).containsExactly("a", "b");
        RecordDecoder<String> stream = RecordDecoders.fromStreamFormat(new TextLineInputFormat());
        assertThat(decode(stream, "a\nb\n")).containsExactly("a", "b");
        assertThat(stream.getProducedType()).isEqualTo(Types.STRING);
    }

    @SafeVarargs
    private static <T> String encode(RecordEncoder<T> encoder, T... records) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RecordEncoder.RecordWriter<T> w = encoder.open(out);
        for (T r : records) {
            w.write(r);
        }
        w.flush();
        return out.toString(StandardCharsets.UTF_8);
    }

    private static <T> List<T> decode(RecordDecoder<T> decoder, String text) throws Exception {
        List<T> rows = new ArrayList<>();
        try (RecordDecoder.RecordReader<T> r =
                decoder.open(
                        new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
                        "f.ppml")) {
            for (T row; (row = r.read()) != null; ) {
                rows.add(row);
            }
        }
        return rows;
    }
}
