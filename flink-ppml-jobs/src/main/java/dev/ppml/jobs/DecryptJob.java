package dev.ppml.jobs;

import static org.apache.flink.util.Preconditions.checkNotNull;

import dev.ppml.connector.format.RecordDecoder;
import dev.ppml.connector.source.EncryptedFileSource;
import dev.ppml.keys.KeyServiceOptions;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * Decrypts a directory of ppml CSV files into one plaintext CSV file, keeping a single header line.
 * The files are decrypted by the job; the client only writes the lines it collects to the output
 * file.
 */
public final class DecryptJob {
    private DecryptJob() {}

    /**
     * What to decrypt.
     *
     * @param header whether the files start with a header line, written once at the top
     */
    public record Parameters(String keyUri, String input, String output, boolean header) {
        public Parameters {
            checkNotNull(keyUri, "the key URI must be set");
            checkNotNull(input, "the input must be set");
            checkNotNull(output, "the output must be set");
        }
    }

    /**
     * Runs the job; returns the number of data rows written (header not counted). Key-service
     * options come from the environment's Flink configuration ({@code ppml.key-service.*}).
     */
    public static long run(StreamExecutionEnvironment env, Parameters parameters) throws Exception {
        Path in = JobPaths.of(parameters.input());
        Path out = JobPaths.of(parameters.output());
        KeyServiceOptions keyService = SimpleQuery.keyServiceOptions(env);
        String keyUri = parameters.keyUri();
        boolean header = parameters.header();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        long rows = 0;
        boolean headerWritten = false;
        FileSystem fs = out.getFileSystem();
        try (CloseableIterator<Tuple2<Boolean, String>> lines =
                        env.fromSource(
                                        EncryptedFileSource.forRecordFormat(
                                                        new FirstLineTaggedLines(), in)
                                                .withKeyUri(keyUri)
                                                .withKeyServiceOptions(keyService)
                                                .build(),
                                        WatermarkStrategy.noWatermarks(),
                                        "encrypted csv")
                                .executeAndCollect("decrypt " + in.getName());
                OutputStream os = fs.create(out, FileSystem.WriteMode.OVERWRITE);
                Writer writer =
                        new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8))) {
            while (lines.hasNext()) {
                Tuple2<Boolean, String> line = lines.next();
                Progress.addBytes(line.f1.length() + 1);
                if (header && line.f0) {
                    if (headerWritten) {
                        continue;
                    }
                    headerWritten = true;
                } else {
                    rows++;
                }
                writer.write(line.f1);
                writer.write('\n');
            }
        }
        return rows;
    }

    /** Lines of each file, the first one tagged {@code true}. */
    static final class FirstLineTaggedLines implements RecordDecoder<Tuple2<Boolean, String>> {
        private static final long serialVersionUID = 1L;

        @Override
        public RecordReader<Tuple2<Boolean, String>> open(InputStream plaintext, String fileName) {
            BufferedReader reader =
                    new BufferedReader(
                            new InputStreamReader(plaintext, StandardCharsets.UTF_8), 1 << 16);
            return new RecordReader<>() {
                private boolean first = true;

                @Override
                public Tuple2<Boolean, String> read() throws IOException {
                    String line = reader.readLine();
                    if (line == null) {
                        return null;
                    }
                    Tuple2<Boolean, String> tagged = Tuple2.of(first, line);
                    first = false;
                    return tagged;
                }

                @Override
                public void close() throws IOException {
                    reader.close();
                }
            };
        }

        @Override
        public TypeInformation<Tuple2<Boolean, String>> getProducedType() {
            return Types.TUPLE(Types.BOOLEAN, Types.STRING);
        }
    }
}
