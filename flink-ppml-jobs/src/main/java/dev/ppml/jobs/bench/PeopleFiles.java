package dev.ppml.jobs.bench;

import dev.ppml.jobs.PeopleGenerator;
import dev.ppml.jobs.SimpleQuery;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** The people rows the job cases read: plain CSV without a header, one file per reader. */
final class PeopleFiles {
    private PeopleFiles() {}

    /**
     * Writes {@code rows} people rows into {@code parallelism} files {@code people-<i>.csv} in
     * {@code dir} (a file is one split, so that every reader has one); returns {@code dir}.
     */
    static Path write(long rows, int parallelism, Path dir, PrintWriter log) throws IOException {
        Files.createDirectories(dir);
        log.printf(
                Locale.ROOT,
                "generating %,d people rows into %d files in %s%n",
                rows,
                parallelism,
                dir);
        log.flush();
        Path withHeader = dir.resolveSibling(dir.getFileName() + "-with-header.csv");
        PeopleGenerator.generate(rows, 42, withHeader, SimpleQuery::matches, n -> {});
        // Flink's csv format has no header option: no file has one
        List<BufferedWriter> files = new ArrayList<>();
        try (Stream<String> lines = Files.lines(withHeader, StandardCharsets.UTF_8)) {
            for (int i = 0; i < parallelism; i++) {
                files.add(
                        Files.newBufferedWriter(
                                dir.resolve("people-" + i + ".csv"), StandardCharsets.UTF_8));
            }
            long n = 0;
            for (String line : (Iterable<String>) lines.skip(1)::iterator) {
                BufferedWriter w = files.get((int) (n++ * parallelism / rows));
                w.write(line);
                w.write('\n');
            }
        } finally {
            for (BufferedWriter w : files) {
                w.close();
            }
        }
        Files.delete(withHeader);
        return dir;
    }

    /** The bytes of every file in {@code dir}. */
    static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            long total = 0;
            for (Path f : (Iterable<Path>) files::iterator) {
                total += Files.size(f);
            }
            return total;
        }
    }
}
