package dev.ppml.connector.source;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.RecordAndPosition;

/** Reads a {@link BulkFormat.Reader} to its end, as Flink's source reader would, then closes it. */
public final class BulkReads {
    private BulkReads() {}

    /** Every record {@code reader} returns, in order. */
    public static <T> List<T> readAll(BulkFormat.Reader<T> reader) throws IOException {
        List<T> out = new ArrayList<>();
        try (reader) {
            BulkFormat.RecordIterator<T> batch;
            while ((batch = reader.readBatch()) != null) {
                RecordAndPosition<T> r;
                while ((r = batch.next()) != null) {
                    out.add(r.getRecord());
                }
                batch.releaseBatch();
            }
        }
        return out;
    }
}
