package dev.ppml.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A smoke run of every {@code bin/ppml bench} case on tiny data, without warm-up: each executes,
 * prints its rounds, figures and ratios, and writes its JSON; the OSS cases also say what the OSS
 * test server took. Nothing here judges speed.
 */
class BenchCliITCase {
    @TempDir Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "crc64, --size, 1m, ppml Crc64, OSS SDK CRC64, GB/s",
        "aead, --size, 1m, ppml file, JCE AES-GCM, decrypt MB/s",
        "sink-local, --rows, 3000, ppml, plain csv, cpu s",
        "simple-query, --rows, 3000, ppml, plain csv, wall s",
        "verified-read, --rows, 3000, verified, streamed, cpu s",
        "split-read, --size, 2m, ppml, plain csv, MB/s p4",
        "sink-oss, --rows, 3000, ppml on oss://, csv on flink-oss-fs-hadoop, rows/s",
        "large-file, --size, 12m, ppml oss://, flink-oss-fs-hadoop, MB/s"
    })
    void runsAndReports(
            String bench,
            String sizeOption,
            String size,
            String candidate,
            String baseline,
            String metric)
            throws Exception {
        Path json = dir.resolve(bench + ".json");
        BinPpml r =
                BinPpml.run(
                        dir,
                        "bench",
                        bench,
                        sizeOption,
                        size,
                        "--rounds",
                        "2",
                        "--warmup",
                        "0",
                        "-p",
                        "1",
                        "--out",
                        json.toString());
        assertThat(r.exitCode).as(r.toString()).isZero();
        assertThat(r.out)
                .startsWith("bench " + bench + ": ")
                .contains("round 2/2: ")
                .contains("ratio " + candidate + " / " + baseline + ", " + metric + ": ")
                .containsPattern("goal .* [0-9.]+x, (met|NOT met)")
                .contains("figures written to " + json);

        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertThat(report.get("case").asText()).isEqualTo(bench);
        assertThat(report.at("/variants/0/name").asText()).isEqualTo(candidate);
        assertThat(report.at("/variants/0/role").asText()).isEqualTo("candidate");
        assertThat(report.at("/variants/1/name").asText()).isEqualTo(baseline);
        assertThat(report.at("/variants/1/metrics").get(metric).get("values")).hasSize(2);
        double ratio = report.at("/ratios").get(metric).asDouble();
        double candidateMedian =
                report.at("/variants/0/metrics").get(metric).get("median").asDouble();
        double baselineMedian =
                report.at("/variants/1/metrics").get(metric).get("median").asDouble();
        assertThat(ratio).isPositive().isCloseTo(candidateMedian / baselineMedian, within(1e-9));
        assertThat(report.at("/goals/0/met").isBoolean()).isTrue();
        if (bench.contains("oss") || bench.equals("large-file")) {
            assertThat(r.out).contains("note: OSS test server: ");
            assertThat(
                            report.at("/variants/0/metrics")
                                    .get("server cpu %")
                                    .get("median")
                                    .asDouble())
                    .isPositive();
        }
        assertThat(report.at("/machine/cores").asInt()).isPositive();
        assertThat(report.at("/versions/ppml").asText())
                .isEqualTo(System.getProperty("project.version"));
        assertThat(report.at("/versions/flink").asText())
                .isEqualTo(System.getProperty("flink.version"));
    }

    @Test
    void aReusedDirectoryStartsFromFreshInputs() throws Exception {
        Path work = dir.resolve("work");
        for (int run = 0; run < 2; run++) {
            BinPpml r =
                    BinPpml.run(
                            dir,
                            "bench",
                            "verified-read",
                            "--rows",
                            "100",
                            "--rounds",
                            "1",
                            "--warmup",
                            "0",
                            "-p",
                            "1",
                            "--dir",
                            work.toString());
            assertThat(r.exitCode).as(r.toString()).isZero();
        }
        // one encrypted input file per reader (-p 1), not one more per earlier run
        try (Stream<Path> files = Files.list(work.resolve("people-ppml"))) {
            assertThat(files.filter(f -> !f.getFileName().toString().startsWith("."))).hasSize(1);
        }
    }

    private static org.assertj.core.data.Offset<Double> within(double offset) {
        return org.assertj.core.data.Offset.offset(offset);
    }
}
