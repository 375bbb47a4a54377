package dev.ppml.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The program arguments of {@code flink run} and the report, without a cluster. */
class SimpleQueryTest {

    @Test
    void readsTheArgumentsOfFlinkRun() {
        assertThat(
                        SimpleQuery.Parameters.fromArgs(
                                "--key-uri", "local:/k", "--input", "in", "--output", "out"))
                .isEqualTo(
                        new SimpleQuery.Parameters(
                                "local:/k", "in", "out", SimpleQuery.Api.DATASTREAM));
        assertThat(
                        SimpleQuery.Parameters.fromArgs(
                                        "--key-uri",
                                        "local:/k",
                                        "--input",
                                        "in",
                                        "--output",
                                        "out",
                                        "--sql")
                                .api())
                .isEqualTo(SimpleQuery.Api.SQL);
    }

    @Test
    void flinkOptionsTravelAsDashDArguments() {
        String[] args = {
            "--key-uri",
            "kbs://k:1/r/t/k",
            "-Dppml.key-service.kbs.tee=tdx",
            "--input",
            "in",
            "--output",
            "out",
            "-Dparallelism.default=2"
        };
        assertThat(SimpleQuery.Parameters.fromArgs(args).output()).isEqualTo("out");
        assertThat(SimpleQuery.flinkOptionsFromArgs(args))
                .containsOnly(
                        Map.entry("ppml.key-service.kbs.tee", "tdx"),
                        Map.entry("parallelism.default", "2"));
        assertThatThrownBy(() -> SimpleQuery.flinkOptionsFromArgs("-Dnovalue"))
                .hasMessageContaining("not of the form -Dkey=value");
    }

    @Test
    void missingAndUnknownArgumentsAreNamedWithTheUsage() {
        assertThatThrownBy(
                        () ->
                                SimpleQuery.Parameters.fromArgs(
                                        "--key-uri", "local:/k", "--input", "in"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("missing argument --output; usage: " + SimpleQuery.USAGE);
        assertThatThrownBy(
                        () ->
                                SimpleQuery.Parameters.fromArgs(
                                        "--key-uri",
                                        "local:/k",
                                        "--input",
                                        "in",
                                        "--output",
                                        "out",
                                        "--sqll"))
                .hasMessageContaining("unknown argument(s) [sqll]");
    }

    @Test
    void theSummaryIsWhatTheCliAndFlinkRunPrint() {
        SimpleQuery.Result result =
                new SimpleQuery.Result(3, Map.of("Developer", 5L, "Engineer", 2L));
        assertThat(
                        result.summary(
                                new SimpleQuery.Parameters(
                                        "local:/k", "in", "out", SimpleQuery.Api.SQL)))
                .containsExactly(
                        "simple-query (SQL): 3 of 7 rows kept, written encrypted to out",
                        "input rows by job: Developer=5, Engineer=2",
                        "output rows: 3");
    }
}
