package dev.ppml.connector.format;

import static org.apache.flink.util.Preconditions.checkNotNull;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** JSON lines (one JSON object per line) of a POJO type, for the DataStream API. */
@PublicEvolving
public final class JsonLines<T> implements RecordEncoder<T>, RecordDecoder<T> {
    private static final long serialVersionUID = 1L;

    private final Class<T> type;

    private JsonLines(Class<T> type) {
        this.type = type;
    }

    public static <T> JsonLines<T> forPojo(Class<T> type) {
        return new JsonLines<>(checkNotNull(type, "type"));
    }

    @Override
    public RecordWriter<T> open(OutputStream plaintext) {
        ObjectWriter writer = new ObjectMapper().writerFor(type);
        OutputStream out = new BufferedOutputStream(plaintext, 64 * 1024);
        return new RecordWriter<>() {
            @Override
            public void write(T record) throws IOException {
                out.write(writer.writeValueAsBytes(record));
                out.write('\n');
            }

            @Override
            public void flush() throws IOException {
                out.flush();
            }
        };
    }

    @Override
    public RecordReader<T> open(InputStream plaintext, String fileName) throws IOException {
        MappingIterator<T> it = new ObjectMapper().readerFor(type).readValues(plaintext);
        return RecordDecoders.fromMappingIterator(it, fileName);
    }

    @Override
    public boolean isSplittable() {
        return true;
    }

    @Override
    public RecordReader<T> openWithin(InputStream plaintext, String fileName) throws IOException {
        return open(plaintext, fileName);
    }

    @Override
    public String formatName() {
        return "json";
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return TypeInformation.of(type);
    }
}
