package dev.ppml.jobs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ppml.connector.format.RecordEncoder;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class PlainRecordWriterTest {

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    @Test
    void recordsAreWrittenAsTheyAre() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PlainRecordWriter w = new PlainRecordWriter(out);
        for (String r : new String[] {"a,\"x\r\ny\"\r\n", "\n", "b\r", "c,\"\"\"\"\n", "last"}) {
            w.write(b(r));
        }
        assertThat(out.toString(UTF_8)).isEqualTo("a,\"x\r\ny\"\r\n\nb\rc,\"\"\"\"\nlast");
    }

    @Test
    void aRecordWithoutTerminatorGetsALineFeedOnlyWhenAnotherFollows() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PlainRecordWriter w = new PlainRecordWriter(out);
        w.write(b("end of file one"));
        w.write(b("\"file\ntwo\"\r\n"));
        w.write(b("end of file two"));
        assertThat(out.toString(UTF_8))
                .isEqualTo("end of file one\n\"file\ntwo\"\r\nend of file two");
    }

    @Test
    void terminatorsAndBlankRecords() {
        assertThat(PlainRecordWriter.hasTerminator(b("a\n"))).isTrue();
        assertThat(PlainRecordWriter.hasTerminator(b("a\r"))).isTrue();
        assertThat(PlainRecordWriter.hasTerminator(b("\"a\n\""))).isFalse();
        assertThat(PlainRecordWriter.isBlank(b("\n"))).isTrue();
        assertThat(PlainRecordWriter.isBlank(b("\r\n"))).isTrue();
        assertThat(PlainRecordWriter.isBlank(b("\r"))).isTrue();
        assertThat(PlainRecordWriter.isBlank(b(",\n"))).isFalse();
        assertThat(PlainRecordWriter.isBlank(b("\"\"\n"))).isFalse();
    }

    @Test
    void theEncoderStartsEveryFileWithTheHeaderRecord() throws Exception {
        RecordEncoder<byte[]> encoder = PlainRecordWriter.encoder(b("id,\"na\nme\"\r\n"));
        for (int file = 0; file < 2; file++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            RecordEncoder.RecordWriter<byte[]> w = encoder.open(out);
            w.write(b("1,x\r\n"));
            w.write(b("2,y"));
            w.finish();
            assertThat(out.toString(UTF_8)).isEqualTo("id,\"na\nme\"\r\n1,x\r\n2,y");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RecordEncoder.RecordWriter<byte[]> w = PlainRecordWriter.encoder(b("h")).open(out);
        w.write(b("1\n"));
        w.finish();
        assertThat(out.toString(UTF_8)).as("a header without terminator").isEqualTo("h\n1\n");
    }
}
