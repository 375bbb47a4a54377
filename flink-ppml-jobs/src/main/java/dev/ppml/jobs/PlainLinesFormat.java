package dev.ppml.jobs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import javax.annotation.Nullable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * Plaintext lines of a file, optionally without its first (header) line. Counts the bytes it reads
 * into {@link Progress}.
 */
public final class PlainLinesFormat extends SimpleStreamFormat<String> {
    private static final long serialVersionUID = 1L;

    private final boolean skipHeader;

    public PlainLinesFormat(boolean skipHeader) {
        this.skipHeader = skipHeader;
    }

    @Override
    public StreamFormat.Reader<String> createReader(Configuration config, FSDataInputStream in)
            throws IOException {
        BufferedReader reader =
                new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        if (skipHeader) {
            String header = reader.readLine();
            if (header != null) {
                Progress.addBytes(header.length() + 1);
            }
        }
        return new StreamFormat.Reader<>() {
            @Nullable
            @Override
            public String read() throws IOException {
                String line = reader.readLine();
                if (line != null) {
                    Progress.addBytes(line.length() + 1);
                }
                return line;
            }

            @Override
            public void close() throws IOException {
                reader.close();
            }
        };
    }

    @Override
    public TypeInformation<String> getProducedType() {
        return Types.STRING;
    }
}
