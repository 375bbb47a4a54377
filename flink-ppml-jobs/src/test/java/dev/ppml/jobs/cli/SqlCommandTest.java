package dev.ppml.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SqlCommandTest {
    @Test
    void splitsOnSemicolonsOutsideQuotesAndComments() {
        String script =
                "-- a comment; with a semicolon\n"
                        + "CREATE TABLE t (a STRING) WITH ('x' = 'a;b', 'y' = 'it''s;');\n"
                        + "/* block; comment */ SELECT `we;ird` FROM t;\n"
                        + "  ;\n"
                        + "INSERT INTO t VALUES ('z')";
        assertThat(SqlCommand.split(script))
                .containsExactly(
                        "CREATE TABLE t (a STRING) WITH ('x' = 'a;b', 'y' = 'it''s;')",
                        "SELECT `we;ird` FROM t",
                        "INSERT INTO t VALUES ('z')");
    }
}
