package dev.ppml.connector.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
}
