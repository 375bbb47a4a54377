package dev.ppml.jobs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.apache.flink.core.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlainRecordsFormatTest {
    private static final String CSV =
            "id,\"no\r\nte\"\r\n"
                    + "1,\"a\nb\"\n"
                    + "2,\"say \"\"hi\"\", x,y\"\r\n"
                    + "\n"
                    + "3,,äöü中文\r\n"
                    + "4,\""
                    + "long\r\n".repeat(20_000)
                    + "\"\n"
                    + "5,last";

    @TempDir java.nio.file.Path dir;

    private FileSourceSplit split(byte[] content) throws IOException {
        java.nio.file.Path file = Files.write(dir.resolve("in.csv"), content);
        return new FileSourceSplit(
                "0", new Path(file.toUri()), 0, content.length, 0, content.length);
    }

    private static List<byte[]> read(BulkFormat.Reader<byte[]> reader) throws IOException {
        List<byte[]> records = new ArrayList<>();
        try (reader) {
            BulkFormat.RecordIterator<byte[]> batch;
            while ((batch = reader.readBatch()) != null) {
                RecordAndPosition<byte[]> r;
                while ((r = batch.next()) != null) {
                    records.add(r.getRecord());
                }
                batch.releaseBatch();
            }
        }
        return records;
    }

    private static byte[] concat(List<byte[]> records) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] r : records) {
            out.write(r);
        }
        return out.toByteArray();
    }

    @Test
    void recordsConcatenatedAreTheFileByteForByte() throws Exception {
        byte[] content = CSV.getBytes(UTF_8);
        Progress.reset();
        List<byte[]> records =
                read(
                        new PlainRecordsFormat(false)
                                .createReader(new Configuration(), split(content)));
        assertThat(records).hasSize(7);
        assertThat(new String(records.get(1), UTF_8)).isEqualTo("1,\"a\nb\"\n");
        assertThat(concat(records)).isEqualTo(content);
        assertThat(Progress.bytes()).isEqualTo(content.length);
    }

    @Test
    void theHeaderRecordIsSkippedButCounted() throws Exception {
        byte[] content = CSV.getBytes(UTF_8);
        Progress.reset();
        List<byte[]> records =
                read(
                        new PlainRecordsFormat(true)
                                .createReader(new Configuration(), split(content)));
        assertThat(new String(concat(records), UTF_8))
                .isEqualTo(CSV.substring("id,\"no\r\nte\"\r\n".length()));
        assertThat(Progress.bytes()).isEqualTo(content.length);
        assertThat(PlainRecordsFormat.firstRecord(split(content).path()))
                .isEqualTo("id,\"no\r\nte\"\r\n".getBytes(UTF_8));
    }

    @Test
    void bytesThatAreNotUtf8PassUnchanged() throws Exception {
        byte[] content = {'a', (byte) 0xff, ',', '"', (byte) 0xc3, '\n', '"', '\r', '\n', 'b'};
        List<byte[]> records =
                read(
                        new PlainRecordsFormat(false)
                                .createReader(new Configuration(), split(content)));
        assertThat(records).hasSize(2);
        assertThat(concat(records)).isEqualTo(content);
    }

    @Test
    void aRestoredReaderSkipsTheRecordsAlreadyEmitted() throws Exception {
        byte[] content = CSV.getBytes(UTF_8);
        FileSourceSplit split =
                split(content)
                        .updateWithCheckpointedPosition(
                                new CheckpointedPosition(CheckpointedPosition.NO_OFFSET, 2));
        List<byte[]> records =
                read(new PlainRecordsFormat(true).restoreReader(new Configuration(), split));
        assertThat(new String(records.get(0), UTF_8)).isEqualTo("\n");
        assertThat(records).hasSize(4);
    }

    @Test
    void anUnclosedQuoteNamesTheFile() throws Exception {
        FileSourceSplit split = split("a\n\"b,secret\n".getBytes(UTF_8));
        assertThatThrownBy(
                        () ->
                                read(
                                        new PlainRecordsFormat(false)
                                                .createReader(new Configuration(), split)))
                .hasMessageContaining("file " + split.path() + ", record 2:")
                .hasMessageNotContaining("secret");
    }
}
