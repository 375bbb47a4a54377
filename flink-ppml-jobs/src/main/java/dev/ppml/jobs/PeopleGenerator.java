package dev.ppml.jobs;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiPredicate;
import java.util.function.LongConsumer;

/**
 * Generates the people data set of the SimpleQuery benchmark: a CSV file with the header {@code
 * name,age,job}; names are 3–7 random lowercase letters, ages uniform in 18–60, jobs uniform over
 * Developer, Engineer and Researcher. The same seed gives the same file.
 */
public final class PeopleGenerator {

    public static final List<String> JOBS = List.of("Developer", "Engineer", "Researcher");
    public static final int MIN_AGE = 18;
    public static final int MAX_AGE = 60;

    private PeopleGenerator() {}

    /**
     * Writes {@code rows} people to {@code out} and returns how many of them {@code expected}
     * accepts (e.g. {@code SimpleQuery::matches}, the count the query must find).
     *
     * @param expected a condition on (job, age) whose matches are counted
     * @param progress told the number of rows written so far, every 64Ki rows
     */
    public static long generate(
            long rows,
            long seed,
            Path out,
            BiPredicate<String, Integer> expected,
            LongConsumer progress)
            throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        long matches = 0;
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (Writer w =
                new BufferedWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8), 1 << 16)) {
            w.write(String.join(",", Person.COLUMNS));
            w.write('\n');
            char[] name = new char[7];
            for (long i = 0; i < rows; i++) {
                int len = 3 + random.nextInt(5);
                for (int c = 0; c < len; c++) {
                    name[c] = (char) ('a' + random.nextInt(26));
                }
                int age = MIN_AGE + random.nextInt(MAX_AGE - MIN_AGE + 1);
                String job = JOBS.get(random.nextInt(JOBS.size()));
                if (expected.test(job, age)) {
                    matches++;
                }
                w.write(name, 0, len);
                w.write(',');
                w.write(Integer.toString(age));
                w.write(',');
                w.write(job);
                w.write('\n');
                if ((i & 0xFFFF) == 0xFFFF) {
                    progress.accept(i + 1);
                }
            }
        }
        progress.accept(rows);
        return matches;
    }
}
