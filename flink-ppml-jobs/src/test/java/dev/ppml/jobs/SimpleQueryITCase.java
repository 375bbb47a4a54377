package dev.ppml.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.ppml.keys.testing.LocalKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.configuration.BatchExecutionOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** SimpleQuery end to end at parallelism 2: both variants keep exactly the expected rows. */
class SimpleQueryITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir Path dir;

    @Test
    void dataStreamAndSqlKeepTheSameExpectedRows() throws Exception {
        String keyUri = LocalKeys.create(dir, "master");
        Path people = dir.resolve("people.csv");
        long expected = PeopleGenerator.generate(8_000, 11, people, SimpleQuery::matches, n -> {});
        String encrypted = dir.resolve("enc").toString();

        assertThat(
                        EncryptJob.run(
                                env(),
                                new EncryptJob.Parameters(
                                        keyUri, people.toString(), encrypted, true)))
                .isEqualTo(8_000);
        assertThat(Files.list(dir.resolve("enc")).count()).as("one file per writer").isEqualTo(2);

        SimpleQuery.Result ds =
                SimpleQuery.run(
                        env(),
                        new SimpleQuery.Parameters(
                                keyUri,
                                encrypted,
                                dir.resolve("ds").toString(),
                                SimpleQuery.Api.DATASTREAM));
        SimpleQuery.Result sql =
                SimpleQuery.run(
                        env(),
                        new SimpleQuery.Parameters(
                                keyUri,
                                encrypted,
                                dir.resolve("sql").toString(),
                                SimpleQuery.Api.SQL));

        assertThat(ds.outputRows).isEqualTo(expected);
        assertThat(sql.outputRows).isEqualTo(expected);
        assertThat(ds.inputRows()).isEqualTo(8_000);
        assertThat(ds.inputRowsByJob).isEqualTo(sql.inputRowsByJob);
        assertThat(ds.inputRowsByJob).containsOnlyKeys(PeopleGenerator.JOBS);

        Path dsCsv = dir.resolve("ds.csv");
        Path sqlCsv = dir.resolve("sql.csv");
        assertThat(
                        DecryptJob.run(
                                env(),
                                new DecryptJob.Parameters(
                                        keyUri,
                                        dir.resolve("ds").toString(),
                                        dsCsv.toString(),
                                        true)))
                .isEqualTo(expected);
        DecryptJob.run(
                env(),
                new DecryptJob.Parameters(
                        keyUri, dir.resolve("sql").toString(), sqlCsv.toString(), true));
        List<String> dsRows = Files.readAllLines(dsCsv);
        assertThat(dsRows.get(0)).isEqualTo("name,age,job");
        assertThat(sorted(dsRows)).isEqualTo(sorted(Files.readAllLines(sqlCsv)));
        List<String> expectedRows =
                Files.readAllLines(people).stream()
                        .skip(1)
                        .filter(
                                l -> {
                                    String[] f = l.split(",");
                                    return SimpleQuery.matches(f[2], Integer.parseInt(f[1]));
                                })
                        .collect(Collectors.toList());
        assertThat(dsRows.subList(1, dsRows.size()))
                .containsExactlyInAnyOrderElementsOf(expectedRows);
    }

    @Test
    void readingWithAnotherKeyFailsNamingFileAndKeys() throws Exception {
        String keyUri = LocalKeys.create(dir, "master");
        String otherUri = LocalKeys.create(dir, "other");
        Path people = dir.resolve("people.csv");
        PeopleGenerator.generate(100, 1, people, SimpleQuery::matches, n -> {});
        EncryptJob.run(
                env(),
                new EncryptJob.Parameters(
                        keyUri, people.toString(), dir.resolve("enc").toString(), true));

        Throwable t =
                catchThrowable(
                        () ->
                                SimpleQuery.run(
                                        env(),
                                        new SimpleQuery.Parameters(
                                                otherUri,
                                                dir.resolve("enc").toString(),
                                                dir.resolve("out").toString(),
                                                SimpleQuery.Api.DATASTREAM)));
        assertThat(ExceptionUtils.stringifyException(t))
                .contains("was encrypted under master key '" + keyUri)
                .contains("configured with '" + otherUri)
                .contains(".ppml");
    }

    private static StreamExecutionEnvironment env() {
        Configuration conf = new Configuration();
        conf.set(BatchExecutionOptions.ADAPTIVE_AUTO_PARALLELISM_ENABLED, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        return env;
    }

    private static List<String> sorted(List<String> rows) {
        return rows.stream().sorted().collect(Collectors.toList());
    }
}
