package dev.ppml.connector.format;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * CSV records of a POJO type, for the DataStream API: columns in the given order, RFC 4180 quoting,
 * optionally a header line at the start of every file (written on encode, checked and skipped on
 * decode).
 *
 * <pre>{@code
 * CsvLines<Person> csv = CsvLines.forPojo(Person.class, "name", "age", "job").withHeader();
 * }</pre>
 */
@PublicEvolving
public final class CsvLines<T> implements RecordEncoder<T>, RecordDecoder<T> {
    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final String[] columns;
    private final boolean header;
    private final char delimiter;

    private CsvLines(Class<T> type, String[] columns, boolean header, char delimiter) {
        this.type = type;
        this.columns = columns;
        this.header = header;
        this.delimiter = delimiter;
    }

    /** CSV of {@code type}'s public fields or properties named by {@code columns}, in order. */
    public static <T> CsvLines<T> forPojo(Class<T> type, String... columns) {
        checkNotNull(type, "type");
        checkArgument(columns.length > 0, "at least one CSV column is required");
        return new CsvLines<>(type, columns.clone(), false, ',');
    }

    /** Each file starts with a header line of the column names. */
    public CsvLines<T> withHeader() {
        return new CsvLines<>(type, columns, true, delimiter);
    }

    /** Uses {@code delimiter} between fields instead of a comma. */
    public CsvLines<T> withDelimiter(char delimiter) {
        return new CsvLines<>(type, columns, header, delimiter);
    }

    /** The header line this format writes, e.g. {@code name,age,job}. */
    public String headerLine() {
        return String.join(String.valueOf(delimiter), columns);
    }

    private CsvSchema schema() {
        CsvSchema.Builder builder = CsvSchema.builder().setColumnSeparator(delimiter);
        for (String column : columns) {
            builder.addColumn(column);
        }
        CsvSchema schema = builder.build().withLineSeparator("\n");
        return header ? schema.withHeader() : schema.withoutHeader();
    }

    @Override
    public RecordWriter<T> open(OutputStream plaintext) throws IOException {
        if (header) {
            // Jackson writes a header only before a first row; write it ourselves so that files
            // without rows carry it too.
            plaintext.write((headerLine() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        SequenceWriter rows =
                new CsvMapper().writer(schema().withoutHeader()).writeValues(plaintext);
        return new RecordWriter<>() {
            @Override
            public void write(T record) throws IOException {
                rows.write(record);
            }

            @Override
            public void flush() throws IOException {
                rows.flush();
            }
        };
    }

    @Override
    public RecordReader<T> open(InputStream plaintext, String fileName) throws IOException {
        return open(plaintext, fileName, schema());
    }

    @Override
    public boolean isSplittable() {
        return true;
    }

    @Override
    public RecordReader<T> openWithin(InputStream plaintext, String fileName) throws IOException {
        return open(plaintext, fileName, schema().withoutHeader());
    }

    private RecordReader<T> open(InputStream plaintext, String fileName, CsvSchema schema)
            throws IOException {
        CsvMapper mapper = new CsvMapper();
        MappingIterator<T> it;
        try {
            it = mapper.readerFor(type).with(schema).readValues(plaintext);
        } catch (JsonProcessingException e) {
            throw RecordDecoders.parseFailure(fileName, 1, e);
        }
        return RecordDecoders.fromMappingIterator(it, fileName);
    }

    @Override
    public String formatName() {
        return "csv";
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return TypeInformation.of(type);
    }
}
