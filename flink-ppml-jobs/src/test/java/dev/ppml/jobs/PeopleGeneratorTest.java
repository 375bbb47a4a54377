package dev.ppml.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeopleGeneratorTest {

    @TempDir Path dir;

    @Test
    void writesTheDocumentedDistributionAndCountsMatches() throws Exception {
        Path csv = dir.resolve("people.csv");
        long expected = PeopleGenerator.generate(30_000, 7, csv, SimpleQuery::matches, n -> {});

        List<String> lines = Files.readAllLines(csv);
        assertThat(lines.get(0)).isEqualTo("name,age,job");
        assertThat(lines).hasSize(30_001);
        List<String[]> rows =
                lines.stream().skip(1).map(l -> l.split(",")).collect(Collectors.toList());
        assertThat(rows)
                .allSatisfy(
                        r -> {
                            assertThat(r[0]).matches("[a-z]{3,7}");
                            assertThat(Integer.parseInt(r[1])).isBetween(18, 60);
                            assertThat(r[2]).isIn(PeopleGenerator.JOBS);
                        });
        assertThat(
                        rows.stream()
                                .filter(r -> SimpleQuery.matches(r[2], Integer.parseInt(r[1])))
                                .count())
                .isEqualTo(expected);
        // 1/3 Developers x 21/43 ages in 20..40 = 16.3 %
        assertThat(expected / 30_000.0).isBetween(0.150, 0.176);
        Map<String, Long> byJob =
                rows.stream().collect(Collectors.groupingBy(r -> r[2], Collectors.counting()));
        assertThat(byJob.values()).allSatisfy(n -> assertThat(n).isBetween(9_500L, 10_500L));
        assertThat(rows.stream().map(r -> r[1]).distinct().count()).isEqualTo(43);
    }

    @Test
    void sameSeedSameFile() throws Exception {
        PeopleGenerator.generate(1000, 3, dir.resolve("a.csv"), SimpleQuery::matches, n -> {});
        PeopleGenerator.generate(1000, 3, dir.resolve("b.csv"), SimpleQuery::matches, n -> {});
        PeopleGenerator.generate(1000, 4, dir.resolve("c.csv"), SimpleQuery::matches, n -> {});
        assertThat(Files.readAllBytes(dir.resolve("a.csv")))
                .isEqualTo(Files.readAllBytes(dir.resolve("b.csv")));
        assertThat(Files.readAllBytes(dir.resolve("a.csv")))
                .isNotEqualTo(Files.readAllBytes(dir.resolve("c.csv")));
    }
}
