package dev.ppml.jobs.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.enumerate.FileEnumerator;
import org.apache.flink.connector.file.src.enumerate.NonSplittingRecursiveEnumerator;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.Path;

/**
 * The plain side of the {@code split-read} case: a plain text file read in byte-range splits, as
 * Hadoop reads lines (a split starts after the first line break before its start, and reads on past
 * its end to finish its last line). Flink's own {@code TextLineInputFormat} never splits a file, so
 * without this the baseline could not scale at all and the comparison would flatter us.
 */
final class PlainLineSplits {
    private PlainLineSplits() {}

    /** Lists files and cuts each into ranges of {@code splitSize} bytes. */
    static FileEnumerator.Provider enumerator(long splitSize) {
        return () ->
                new FileEnumerator() {
                    private final FileEnumerator listing = new NonSplittingRecursiveEnumerator();

                    @Override
                    public Collection<FileSourceSplit> enumerateSplits(Path[] paths, int n)
                            throws IOException {
                        List<FileSourceSplit> splits = new ArrayList<>();
                        for (FileSourceSplit file : listing.enumerateSplits(paths, n)) {
                            int i = 0;
                            for (long start = 0; start < file.length(); start += splitSize) {
                                splits.add(
                                        new FileSourceSplit(
                                                file.splitId() + "-" + i++,
                                                file.path(),
                                                start,
                                                Math.min(splitSize, file.length() - start),
                                                file.fileModificationTime(),
                                                file.fileSize()));
                            }
                        }
                        return splits;
                    }
                };
    }

    /** Lines as UTF-8 strings, splittable at line breaks. */
    static final class Format implements StreamFormat<String> {
        private static final long serialVersionUID = 1L;

        @Override
        public Reader<String> createReader(
                Configuration config, FSDataInputStream stream, long fileLen, long splitEnd)
                throws IOException {
            return new LineReader(stream, splitEnd);
        }

        /**
         * The reader reports no positions of its own, so Flink restores it at the split's start and
         * skips the records already emitted: the same as a new reader.
         */
        @Override
        public Reader<String> restoreReader(
                Configuration config,
                FSDataInputStream stream,
                long restoredOffset,
                long fileLen,
                long splitEnd)
                throws IOException {
            return new LineReader(stream, splitEnd);
        }

        @Override
        public boolean isSplittable() {
            return true;
        }

        @Override
        public TypeInformation<String> getProducedType() {
            return Types.STRING;
        }
    }

    /** Reads the lines starting in [its start, splitEnd), buffered. */
    private static final class LineReader implements StreamFormat.Reader<String> {
        private final InputStream in;
        private final byte[] buffer = new byte[64 * 1024];
        private final ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        private int pos;
        private int limit;

        /** File position of buffer[pos]. */
        private long filePos;

        private final long end;

        LineReader(FSDataInputStream stream, long splitEnd) throws IOException {
            this.end = splitEnd;
            long start = stream.getPos();
            if (start > 0) {
                // the line that starts before us is the previous split's: skip to its end
                stream.seek(start - 1);
                filePos = start - 1;
                this.in = stream;
                skipLine();
            } else {
                this.in = stream;
            }
        }

        private boolean fill() throws IOException {
            filePos += limit;
            limit = in.read(buffer, 0, buffer.length);
            pos = 0;
            if (limit <= 0) {
                limit = 0;
                return false;
            }
            return true;
        }

        private void skipLine() throws IOException {
            while (true) {
                if (pos == limit && !fill()) {
                    return;
                }
                while (pos < limit) {
                    if (buffer[pos++] == '\n') {
                        return;
                    }
                }
            }
        }

        @Nullable
        @Override
        public String read() throws IOException {
            if (filePos + pos >= end) {
                return null;
            }
            line.reset();
            while (true) {
                if (pos == limit && !fill()) {
                    return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
                }
                int start = pos;
                while (pos < limit && buffer[pos] != '\n') {
                    pos++;
                }
                line.write(buffer, start, pos - start);
                if (pos < limit) {
                    pos++;
                    return line.toString(StandardCharsets.UTF_8);
                }
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
