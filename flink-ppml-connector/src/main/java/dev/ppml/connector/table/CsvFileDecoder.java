package dev.ppml.connector.table;

import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.ppml.connector.format.CsvRecordReader;
import dev.ppml.connector.format.RecordDecoder;
import dev.ppml.connector.format.RecordDecoders;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.commons.text.StringEscapeUtils;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.formats.common.Converter;
import org.apache.flink.formats.csv.CsvFormatOptions;
import org.apache.flink.formats.csv.CsvRowSchemaConverter;
import org.apache.flink.formats.csv.CsvToRowDataConverters;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.MappingIterator;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.dataformat.csv.CsvMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.dataformat.csv.CsvParser;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.dataformat.csv.CsvSchema;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.util.jackson.JacksonMapperFactory;

/**
 * The csv inner format's read path: each file (or split) of plaintext parsed by one streaming
 * Jackson CSV parser, as Flink's own csv file format ({@code format = 'csv'}, its {@code
 * CsvFileFormatFactory}) reads a plain file, instead of one parser per record through the csv
 * {@code DeserializationSchema}.
 *
 * <p>Same semantics as {@code format = 'csv'}: the same Jackson {@link CsvSchema} (Flink's {@link
 * CsvRowSchemaConverter} for the row type, then the {@code csv.*} options applied the way Flink's
 * csv file format applies them), the same mapper ({@link JacksonMapperFactory}), and the same
 * conversion of each parsed row to {@link RowData} ({@link CsvToRowDataConverters}, which is
 * {@code @Internal} in flink-csv: there is no public API from a parsed CSV row to {@code RowData};
 * {@code CsvFileDecoderTest} pins the behaviour relied on). With {@code csv.ignore-parse-errors} a
 * row that fails to parse is skipped and a field that fails to convert is null, as there. Where it
 * differs: the first record of a file is skipped when the table has {@code 'ppml.header' = 'true'}
 * (found by {@link CsvRecordReader}, so a quoted header may hold line breaks), and a row the
 * converter maps to null (one without any field) is skipped where Flink's reader would end the file
 * at it. Parse failures name the file and the record, never its content.
 *
 * <p>This class is loaded only for tables whose inner format is csv, so flink-csv is needed on the
 * classpath only by them (as by Flink's csv format itself).
 */
@Internal
public final class CsvFileDecoder implements RecordDecoder<RowData> {
    private static final long serialVersionUID = 1L;

    private final RowType rowType;
    private final HashMap<String, String> csvOptions;
    private final boolean header;
    private final CsvRecordReader.Syntax syntax;
    private final TypeInformation<RowData> producedType;

    private transient CsvSchema schema;
    private transient Converter<JsonNode, Object, Void> converter;
    private transient CsvMapper mapper;
    private transient boolean ignoreParseErrors;

    /**
     * A decoder of rows of {@code rowType}.
     *
     * @param csvOptions the table's {@code ppml.csv.*} options without that prefix, already
     *     validated by Flink's csv format factory
     * @param header whether the first record of every file is a header to skip
     * @param syntax where records end under those options (for skipping the header)
     */
    public static RecordDecoder<RowData> create(
            RowType rowType,
            Map<String, String> csvOptions,
            boolean header,
            CsvRecordReader.Syntax syntax,
            TypeInformation<RowData> producedType) {
        return new CsvFileDecoder(rowType, csvOptions, header, syntax, producedType);
    }

    private CsvFileDecoder(
            RowType rowType,
            Map<String, String> csvOptions,
            boolean header,
            CsvRecordReader.Syntax syntax,
            TypeInformation<RowData> producedType) {
        this.rowType = checkNotNull(rowType, "row type");
        this.csvOptions = new HashMap<>(csvOptions);
        this.header = header;
        this.syntax = checkNotNull(syntax, "syntax");
        this.producedType = checkNotNull(producedType, "produced type");
        init(); // fails on a type the csv format does not support while the job is planned
    }

    /**
     * The Jackson schema Flink's csv file format parses {@code rowType} with under {@code options}.
     */
    static CsvSchema csvSchema(RowType rowType, Configuration options) {
        CsvSchema.Builder builder = CsvRowSchemaConverter.convert(rowType).rebuild();
        options.getOptional(CsvFormatOptions.FIELD_DELIMITER)
                .ifPresent(
                        d ->
                                builder.setColumnSeparator(
                                        StringEscapeUtils.unescapeJava(d).charAt(0)));
        if (options.get(CsvFormatOptions.DISABLE_QUOTE_CHARACTER)) {
            builder.disableQuoteChar();
        } else {
            options.getOptional(CsvFormatOptions.QUOTE_CHARACTER)
                    .ifPresent(q -> builder.setQuoteChar(q.charAt(0)));
        }
        options.getOptional(CsvFormatOptions.ALLOW_COMMENTS).ifPresent(builder::setAllowComments);
        options.getOptional(CsvFormatOptions.ARRAY_ELEMENT_DELIMITER)
                .ifPresent(builder::setArrayElementSeparator);
        options.getOptional(CsvFormatOptions.ESCAPE_CHARACTER)
                .ifPresent(e -> builder.setEscapeChar(e.charAt(0)));
        options.getOptional(CsvFormatOptions.NULL_LITERAL).ifPresent(builder::setNullValue);
        return builder.build();
    }

    /** The parser features Flink's csv file format sets from its options. */
    private static final Map<CsvParser.Feature, ConfigOption<Boolean>> PARSER_FEATURES =
            Map.of(
                    CsvParser.Feature.TRIM_SPACES, CsvFormatOptions.TRIM_SPACES,
                    CsvParser.Feature.IGNORE_TRAILING_UNMAPPABLE,
                            CsvFormatOptions.IGNORE_TRAILING_UNMAPPABLE,
                    CsvParser.Feature.ALLOW_TRAILING_COMMA, CsvFormatOptions.ALLOW_TRAILING_COMMA,
                    CsvParser.Feature.FAIL_ON_MISSING_COLUMNS,
                            CsvFormatOptions.FAIL_ON_MISSING_COLUMNS,
                    CsvParser.Feature.EMPTY_STRING_AS_NULL, CsvFormatOptions.EMPTY_STRING_AS_NULL);

    /** The mapper of Flink's csv file format: its parser features set by the options. */
    static CsvMapper csvMapper(Configuration options) {
        CsvMapper mapper = JacksonMapperFactory.createCsvMapper();
        PARSER_FEATURES.forEach(
                (feature, option) -> mapper.configure(feature, options.get(option)));
        return mapper;
    }

    private void init() {
        if (schema == null) {
            Configuration options = Configuration.fromMap(csvOptions);
            ignoreParseErrors = options.get(CsvFormatOptions.IGNORE_PARSE_ERRORS);
            converter =
                    new CsvToRowDataConverters(ignoreParseErrors).createRowConverter(rowType, true);
            schema = csvSchema(rowType, options);
            mapper = csvMapper(options);
        }
    }

    @Override
    public RecordReader<RowData> open(InputStream plaintext, String fileName) throws IOException {
        if (!header) {
            return read(plaintext, fileName, 0);
        }
        CsvRecordReader records = new CsvRecordReader(plaintext, fileName, syntax);
        try {
            records.next();
        } catch (IOException | RuntimeException e) {
            records.close();
            throw e;
        }
        return read(records.rest(), fileName, records.recordNumber());
    }

    @Override
    public boolean isSplittable() {
        return true;
    }

    /** A split starts at a record boundary past the file's start: no header to skip. */
    @Override
    public RecordReader<RowData> openWithin(InputStream plaintext, String fileName)
            throws IOException {
        return read(plaintext, fileName, 0);
    }

    /** Reads {@code in} with one parser; {@code skipped} records of the file came before it. */
    private RecordReader<RowData> read(InputStream in, String fileName, long skipped)
            throws IOException {
        init();
        MappingIterator<JsonNode> rows;
        try {
            rows = mapper.readerFor(JsonNode.class).with(schema).readValues(in);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw RecordDecoders.parseFailure(fileName, "record", skipped + 1, e);
        }
        return new RecordReader<>() {
            /** Records the parser has returned, comments not counted. */
            private long parsed;

            @Nullable
            @Override
            public RowData read() throws IOException {
                while (true) {
                    // as in Flink's csv reader: a failure to find the next row fails the read even
                    // with ignore-parse-errors (the parser might never get past it); a row that
                    // fails to parse or convert is skipped with it
                    try {
                        if (!rows.hasNextValue()) {
                            return null;
                        }
                    } catch (IOException | RuntimeException e) {
                        throw RecordDecoders.parseFailure(
                                fileName, "record", skipped + parsed + 1, e);
                    }
                    parsed++;
                    RowData row;
                    try {
                        row = (RowData) converter.convert(rows.nextValue(), null);
                    } catch (IOException | RuntimeException e) {
                        if (ignoreParseErrors) {
                            continue;
                        }
                        throw RecordDecoders.parseFailure(fileName, "record", skipped + parsed, e);
                    }
                    if (row != null) { // null: a record without fields
                        return row;
                    }
                }
            }

            @Override
            public void close() throws IOException {
                rows.close();
            }
        };
    }

    @Override
    public TypeInformation<RowData> getProducedType() {
        return producedType;
    }
}
