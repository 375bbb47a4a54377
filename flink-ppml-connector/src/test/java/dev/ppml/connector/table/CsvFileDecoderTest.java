package dev.ppml.connector.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.ppml.connector.format.CsvRecordReader;
import dev.ppml.connector.format.RecordDecoder;
import dev.ppml.connector.source.BulkReads;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.formats.common.Converter;
import org.apache.flink.formats.csv.CsvFileFormatFactory;
import org.apache.flink.formats.csv.CsvToRowDataConverters;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.connector.source.ScanRuntimeProviderContext;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.RowType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CsvFileDecoder} against Flink's own csv file format ({@code format = 'csv'}, {@link
 * CsvFileFormatFactory}) on the same bytes: the same rows, or both fail, for many option
 * combinations and every type the csv format reads.
 */
public class CsvFileDecoderTest {

    public static final DataType ROW =
            DataTypes.ROW(
                    DataTypes.FIELD("id", DataTypes.INT()),
                    DataTypes.FIELD("b", DataTypes.BOOLEAN()),
                    DataTypes.FIELD("t", DataTypes.TINYINT()),
                    DataTypes.FIELD("s", DataTypes.SMALLINT()),
                    DataTypes.FIELD("l", DataTypes.BIGINT()),
                    DataTypes.FIELD("f", DataTypes.FLOAT()),
                    DataTypes.FIELD("d", DataTypes.DOUBLE()),
                    DataTypes.FIELD("dec", DataTypes.DECIMAL(12, 3)),
                    DataTypes.FIELD("str", DataTypes.STRING()),
                    DataTypes.FIELD("ch", DataTypes.CHAR(3)),
                    DataTypes.FIELD("bin", DataTypes.BYTES()),
                    DataTypes.FIELD("day", DataTypes.DATE()),
                    DataTypes.FIELD("tm", DataTypes.TIME(0)),
                    DataTypes.FIELD("ts", DataTypes.TIMESTAMP(3)),
                    DataTypes.FIELD("ltz", DataTypes.TIMESTAMP_LTZ(3)),
                    DataTypes.FIELD("ints", DataTypes.ARRAY(DataTypes.INT())),
                    DataTypes.FIELD("strs", DataTypes.ARRAY(DataTypes.STRING())),
                    DataTypes.FIELD(
                            "nested",
                            DataTypes.ROW(
                                    DataTypes.FIELD("x", DataTypes.INT()),
                                    DataTypes.FIELD("y", DataTypes.STRING()))));

    public static final RowType ROW_TYPE = (RowType) ROW.getLogicalType();

    @TempDir Path dir;

    /** csv option combinations: each read by both formats. */
    public static List<Map<String, String>> optionCombinations() {
        List<Map<String, String>> all = new ArrayList<>();
        all.add(Map.of());
        all.add(Map.of("field-delimiter", ";"));
        all.add(Map.of("field-delimiter", "\\t"));
        all.add(Map.of("field-delimiter", "|", "array-element-delimiter", ","));
        all.add(Map.of("quote-character", "'"));
        all.add(Map.of("disable-quote-character", "true"));
        all.add(Map.of("allow-comments", "true"));
        all.add(Map.of("ignore-parse-errors", "true"));
        all.add(Map.of("ignore-parse-errors", "false"));
        all.add(Map.of("null-literal", "NULL"));
        all.add(Map.of("null-literal", ""));
        all.add(Map.of("array-element-delimiter", "|"));
        all.add(Map.of("escape-character", "\\"));
        all.add(Map.of("trim-spaces", "true", "empty-string-as-null", "true"));
        all.add(
                Map.of(
                        "field-delimiter", ";",
                        "quote-character", "'",
                        "null-literal", "n/a",
                        "escape-character", "\\",
                        "allow-comments", "true",
                        "ignore-parse-errors", "true"));
        all.add(
                Map.of(
                        "disable-quote-character", "true",
                        "escape-character", "\\",
                        "field-delimiter", "\\t",
                        "ignore-parse-errors", "true"));
        return all;
    }

    @Test
    void rowsWrittenByFlinksCsvWriterReadAsFlinksCsvFileFormatReadsThem() throws Exception {
        for (Map<String, String> options : optionCombinations()) {
            for (long seed = 1; seed <= 3; seed++) {
                byte[] plaintext = write(rows(new Random(seed), 300, options), options);
                assertSameAsFlink(plaintext, options, "seed " + seed);
            }
        }
        // the combinations where Flink's writer and reader disagree with themselves (no quote
        // character, so values with line breaks or delimiters do not read back) fail in both
        assertThat(failuresCompared).isLessThan(optionCombinations().size());
        assertThat(rowsCompared).isGreaterThan(300 * 3 * optionCombinations().size() / 2);
    }

    @Test
    void linesEitherFormatMayFindBadAreReadTheSame() throws Exception {
        // Records Flink's writer never writes: comments, wrong types, too few or too many
        // fields, unclosed quotes, escapes. Each option combination reads them as Flink does, or
        // fails where Flink fails.
        List<String> oddLines =
                List.of(
                        "",
                        "# a comment, \"with a quote",
                        "#",
                        "x",
                        "1,notabool,1,1,1,1.0,1.0,1.5,s,abc,,2020-01-01,10:00:00,2020-01-01"
                                + " 00:00:00.000,2020-01-01 00:00:00.000,1;2,a;b,1;y",
                        "notanint,true,1,1,1,1.0,1.0,1.5,s,abc,,2020-01-01,10:00:00,bad,bad,,,",
                        "1,true,1,1,1,1.0,1.0,1.5,s,abc,,2020-01-01,10:00:00,2020-01-01"
                                + " 00:00:00.000,2020-01-01 00:00:00.000,,,,extra,extra",
                        "2,true,1,1,1,1.0,1.0,1.5,\"open quote\n,abc",
                        "3,true,1,1,1,1.0,1.0,1.5,back\\,slash,abc,,2020-01-01,10:00:00,,,,,",
                        "4,true,1,1,1,1.0,1.0,1.5,'single;quoted',abc,,2020-01-01,10:00:00,,,,,");
        int compared = 0;
        for (Map<String, String> options : optionCombinations()) {
            List<byte[]> good = new ArrayList<>();
            byte[] rows = write(rows(new Random(5), 40, options), options);
            good.add(rows);
            for (String odd : oddLines) {
                String text = new String(rows, StandardCharsets.UTF_8);
                int middle = text.indexOf('\n', text.length() / 2) + 1;
                String withOdd = text.substring(0, middle) + odd + "\n" + text.substring(middle);
                assertSameAsFlink(
                        withOdd.getBytes(StandardCharsets.UTF_8), options, "odd line " + odd);
                compared++;
            }
        }
        assertThat(compared).isEqualTo(optionCombinations().size() * oddLines.size());
        assertThat(failuresCompared).isPositive();
        assertThat(rowsCompared).isPositive();
    }

    @Test
    void withAHeaderTheFirstRecordIsSkippedEvenWithLineBreaksInIt() throws Exception {
        int read = 0;
        for (Map<String, String> options : optionCombinations()) {
            byte[] plaintext = write(rows(new Random(9), 100, options), options);
            boolean quotes =
                    !"true".equals(options.get("disable-quote-character"))
                            && !options.containsKey("quote-character");
            String header = quotes ? "id,\"a header\nwith a line break\",b\n" : "id,b,t,s,l,f,d\n";
            byte[] withHeader = concat(header.getBytes(StandardCharsets.UTF_8), plaintext);
            List<RowData> expected;
            try {
                expected = readWithFlink(plaintext, options);
            } catch (Exception flinkFailure) {
                assertThatThrownBy(() -> readWithDecoder(withHeader, options, true))
                        .as("options %s: Flink's csv format fails (%s)", options, flinkFailure)
                        .hasMessageContaining("file f.csv, record ");
                continue;
            }
            assertThat(readWithDecoder(withHeader, options, true))
                    .as("options %s", options)
                    .containsExactlyElementsOf(expected);
            read++;
        }
        assertThat(read).isGreaterThan(optionCombinations().size() / 2);
    }

    @Test
    void emptyLinesOfASingleColumnAreRowsAsInFlink() throws Exception {
        DataType one = DataTypes.ROW(DataTypes.FIELD("s", DataTypes.STRING()));
        for (Map<String, String> options :
                List.of(Map.<String, String>of(), Map.of("null-literal", ""))) {
            byte[] plaintext = "a\n\n\"\"\nb\n\n".getBytes(StandardCharsets.UTF_8);
            List<RowData> expected = readWithFlink(plaintext, options, one);
            assertThat(expected).hasSize(5);
            assertThat(readWithDecoder(plaintext, options, false, one))
                    .as("options %s", options)
                    .containsExactlyElementsOf(expected);
        }
    }

    @Test
    void parseFailuresNameTheFileAndRecordButNotTheContent() throws Exception {
        byte[] rows = write(rows(new Random(6), 10, Map.of()), Map.of());
        byte[] bad = concat(rows, "secret-value,true\n".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> readWithDecoder(bad, Map.of(), false))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("file f.csv, record 11: the inner format could not parse")
                .hasMessageNotContaining("secret-value");
        byte[] withHeader = concat("header\n".getBytes(StandardCharsets.UTF_8), bad);
        assertThatThrownBy(() -> readWithDecoder(withHeader, Map.of(), true))
                .hasMessageStartingWith("file f.csv, record 12:");
    }

    /**
     * Pins what this decoder relies on of flink-csv's {@code @Internal} {@link
     * CsvToRowDataConverters}: a parsed row maps to a {@link GenericRowData} by field name, a row
     * without fields to null, and with ignore-parse-errors a field that fails to convert to null.
     */
    @Test
    void flinksInternalConverterBehavesAsRelied() {
        RowType type =
                (RowType)
                        DataTypes.ROW(
                                        DataTypes.FIELD("a", DataTypes.INT()),
                                        DataTypes.FIELD("b", DataTypes.STRING()))
                                .getLogicalType();
        Converter<JsonNode, Object, Void> strict =
                new CsvToRowDataConverters(false).createRowConverter(type, true);
        Converter<JsonNode, Object, Void> lenient =
                new CsvToRowDataConverters(true).createRowConverter(type, true);
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("b", "x");
        node.put("a", "7");
        assertThat(strict.convert(node, null))
                .isEqualTo(GenericRowData.of(7, StringData.fromString("x")));
        assertThat(strict.convert(JsonNodeFactory.instance.objectNode(), null)).isNull();
        node.put("a", "seven");
        assertThat(lenient.convert(node, null))
                .isEqualTo(GenericRowData.of(null, StringData.fromString("x")));
        assertThat(catchThrowable(() -> strict.convert(node, null)))
                .hasMessageContaining("field: a")
                .hasRootCauseInstanceOf(NumberFormatException.class);
    }

    // ---------------------------------------------------------------------------------------------

    /** Compared reads where Flink's format read rows, and where it failed. */
    private int rowsCompared;

    private int failuresCompared;

    private void assertSameAsFlink(byte[] plaintext, Map<String, String> options, String what)
            throws Exception {
        List<RowData> expected;
        try {
            expected = readWithFlink(plaintext, options);
        } catch (Exception flinkFailure) {
            failuresCompared++;
            assertThatThrownBy(() -> readWithDecoder(plaintext, options, false))
                    .as(
                            "options %s, %s: Flink's csv format fails (%s)",
                            options, what, flinkFailure)
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("file f.csv, record ");
            return;
        }
        assertThat(readWithDecoder(plaintext, options, false))
                .as("options %s, %s", options, what)
                .containsExactlyElementsOf(expected);
        rowsCompared += expected.size();
    }

    /** Rows as Flink's csv file format reads a plain file of {@code plaintext}. */
    List<RowData> readWithFlink(byte[] plaintext, Map<String, String> options) throws Exception {
        return readWithFlink(plaintext, options, ROW);
    }

    List<RowData> readWithFlink(byte[] plaintext, Map<String, String> options, DataType type)
            throws Exception {
        Path file = Files.createTempFile(dir, "plain", ".csv");
        Files.write(file, plaintext);
        BulkFormat<RowData, FileSourceSplit> format =
                new CsvFileFormatFactory()
                        .createDecodingFormat(null, Configuration.fromMap(options))
                        .createRuntimeDecoder(ScanRuntimeProviderContext.INSTANCE, type);
        FileSourceSplit split =
                new FileSourceSplit(
                        "0",
                        new org.apache.flink.core.fs.Path(file.toUri()),
                        0,
                        plaintext.length,
                        0,
                        plaintext.length);
        return BulkReads.readAll(format.createReader(new Configuration(), split));
    }

    public static RecordDecoder<RowData> decoder(
            Map<String, String> options, boolean header, DataType type) {
        RowType rowType = (RowType) type.getLogicalType();
        return CsvFileDecoder.create(
                rowType, options, header, syntax(options), InternalTypeInfo.of(rowType));
    }

    public static List<RowData> readWithDecoder(
            byte[] plaintext, Map<String, String> options, boolean header) throws IOException {
        return readWithDecoder(plaintext, options, header, ROW);
    }

    public static List<RowData> readWithDecoder(
            byte[] plaintext, Map<String, String> options, boolean header, DataType type)
            throws IOException {
        List<RowData> rows = new ArrayList<>();
        try (RecordDecoder.RecordReader<RowData> reader =
                decoder(options, header, type).open(new ByteArrayInputStream(plaintext), "f.csv")) {
            RowData row;
            while ((row = reader.read()) != null) {
                rows.add(row);
            }
        }
        return rows;
    }

    /** Where records end under {@code options}, as the ppml format factory derives it. */
    public static CsvRecordReader.Syntax syntax(Map<String, String> options) {
        CsvRecordReader.Syntax syntax = CsvRecordReader.Syntax.RFC_4180;
        if ("true".equals(options.get("disable-quote-character"))) {
            syntax = syntax.withoutQuote();
        } else if (options.containsKey("quote-character")) {
            syntax = syntax.withQuote(options.get("quote-character").charAt(0));
        }
        Optional<String> escape = Optional.ofNullable(options.get("escape-character"));
        if (escape.isPresent()) {
            syntax = syntax.withEscape(escape.get().charAt(0));
        }
        return "true".equals(options.get("allow-comments")) ? syntax.withComments() : syntax;
    }

    /** {@code rows} as Flink's csv file writer writes them under {@code options}. */
    public static byte[] write(List<RowData> rows, Map<String, String> options) throws IOException {
        BulkWriter.Factory<RowData> factory =
                new CsvFileFormatFactory()
                        .createEncodingFormat(null, Configuration.fromMap(options))
                        .createRuntimeEncoder(null, ROW);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BulkWriter<RowData> writer = factory.create(new BytesOut(bytes));
        for (RowData row : rows) {
            writer.addElement(row);
        }
        writer.finish();
        return bytes.toByteArray();
    }

    /**
     * Varied rows of {@link #ROW}: nulls, delimiters, quotes, escapes, line breaks, '#'. Flink's
     * csv writes a null as an empty field, which reads back as null only for strings unless the
     * options map empty or null-literal fields to null: other fields are null only then.
     */
    public static List<RowData> rows(Random random, int n, Map<String, String> options) {
        boolean nullsRead =
                options.containsKey("null-literal")
                        || "true".equals(options.get("empty-string-as-null"));
        String[] texts = {
            "plain",
            "",
            "a,b",
            "a;b",
            "a\tb",
            "a|b",
            "say \"hi\"",
            "it's",
            "line\nbreak",
            "cr\r\nlf",
            "#hash",
            "back\\slash",
            "NULL",
            "n/a",
            " padded ",
            "äöü中文"
        };
        List<RowData> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Object[] f = new Object[18];
            f[0] = i;
            f[1] = random.nextBoolean();
            f[2] = (byte) random.nextInt();
            f[3] = (short) random.nextInt();
            f[4] = random.nextLong();
            f[5] = random.nextFloat() * 1000;
            f[6] = random.nextGaussian() * 1e6;
            f[7] =
                    DecimalData.fromBigDecimal(
                            BigDecimal.valueOf(random.nextInt(100_000_000), 3), 12, 3);
            f[8] = StringData.fromString(texts[random.nextInt(texts.length)]);
            f[9] = StringData.fromString("c" + random.nextInt(10) + "x");
            byte[] bin = new byte[random.nextInt(6)];
            random.nextBytes(bin);
            f[10] = bin;
            f[11] = (int) LocalDate.of(1970 + random.nextInt(100), 1, 1).toEpochDay();
            f[12] = random.nextInt(86_400) * 1000;
            f[13] =
                    TimestampData.fromLocalDateTime(
                            LocalDateTime.of(
                                    2000 + random.nextInt(30), 5, 6, 7, 8, 9, 123_000_000));
            f[14] = TimestampData.fromEpochMillis(random.nextInt(1_000_000_000) * 1000L);
            f[15] = new GenericArrayData(new Object[] {random.nextInt(), 3});
            f[16] =
                    new GenericArrayData(
                            new Object[] {
                                StringData.fromString(texts[random.nextInt(texts.length)]),
                                StringData.fromString("z")
                            });
            f[17] = GenericRowData.of(random.nextInt(), StringData.fromString("y" + i));
            for (int k = 1; k < f.length; k++) {
                if ((nullsRead || k == 8 || k == 9) && random.nextInt(12) == 0) {
                    f[k] = null;
                }
            }
            rows.add(GenericRowData.of(f));
        }
        return rows;
    }

    public static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** A byte array as the stream a bulk writer writes into. */
    private static final class BytesOut extends FSDataOutputStream {
        private final ByteArrayOutputStream out;

        BytesOut(ByteArrayOutputStream out) {
            this.out = out;
        }

        @Override
        public long getPos() {
            return out.size();
        }

        @Override
        public void write(int b) {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            out.write(b, off, len);
        }

        @Override
        public void flush() {}

        @Override
        public void sync() {}

        @Override
        public void close() {}
    }
}
