package dev.ppml.jobs.cli;

import dev.ppml.connector.keys.MasterKey;
import dev.ppml.jobs.bench.BenchCase;
import dev.ppml.jobs.bench.BenchReport;
import dev.ppml.jobs.bench.BenchRunner;
import dev.ppml.jobs.bench.BenchSizes;
import dev.ppml.jobs.bench.Benches;
import dev.ppml.keys.KeyUri;
import dev.ppml.keys.local.LocalKeystore;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ppml bench}: a candidate and its baseline, measured alternately in the same run. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Benchmarks, each against its baseline in the same run: warm-up, then rounds in which"
                    + " the two alternate; prints median and spread of each and the ratio.",
            "crc64         ppml Crc64 vs the OSS SDK's CRC64 (JDK CRC32C as the ceiling); --size"
                    + " default 64m",
            "aead          ppml file encryption/decryption vs raw JCE AES-GCM; --size default 256m",
            "sink-local    csv -> format=ppml vs csv -> format=csv, CPU and rows/s; --rows default"
                    + " 3000000",
            "simple-query  SimpleQuery on ppml in and out vs on plain csv; --rows default 5000000",
            "verified-read format=ppml read with verify-before-read vs without; --rows default"
                    + " 5000000",
            "split-read    one large ppml file vs the same plain CSV file, read in splits at"
                    + " parallelism 1, 2 and 4 (-p is not used); --size default 2g",
            "sink-oss      csv -> EncryptedFileSink on oss:// vs csv -> FileSink on Flink's OSS"
                    + " plugin, streaming with checkpoints, on the OSS test server; --rows default"
                    + " 20000000",
            "large-file    one object through our oss:// RecoverableWriter vs Flink's OSS plugin's,"
                    + " MB/s and live heap; --size default 1g"
        })
public final class BenchCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin FlinkOptions flink;

    @Parameters(
            paramLabel = "CASE",
            description =
                    "crc64, aead, sink-local, simple-query, verified-read, split-read, sink-oss or"
                            + " large-file")
    String benchCase;

    @Option(
            names = "--size",
            paramLabel = "SIZE",
            description = "Data size of the in-memory cases and large-file, e.g. 64m, 1g or 5g.")
    String size;

    @Option(names = "--rows", paramLabel = "N", description = "Rows of the job cases.")
    Long rows;

    @Option(
            names = "--rounds",
            paramLabel = "N",
            description = "Measured rounds (default: ${DEFAULT-VALUE}).")
    int rounds = 5;

    @Option(
            names = "--warmup",
            paramLabel = "N",
            description =
                    "At least this many warm-up rounds, not measured, and more until the figures"
                            + " settle; 0: none (default: ${DEFAULT-VALUE}).")
    int warmup = 1;

    @Option(
            names = "--dir",
            paramLabel = "DIR",
            description = "Working directory of the job cases (default: a new temporary one).")
    Path dir;

    @Option(
            names = "--out",
            paramLabel = "FILE.json",
            description = "Also write the figures, ratios, machine and versions as JSON.")
    Path out;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        int parallelism = flink.parallelism == null ? 2 : flink.parallelism;
        if (parallelism < 1) {
            throw new IllegalArgumentException(
                    "--parallelism must be at least 1, was " + parallelism);
        }
        boolean temporary = dir == null;
        Path work = temporary ? Files.createTempDirectory("ppml-bench-") : dir;
        Files.createDirectories(work);
        String keyUri = "local:" + work.resolve("bench.keyset.json").toAbsolutePath();
        if (Benches.needsKey(benchCase) && !Files.exists(work.resolve("bench.keyset.json"))) {
            LocalKeystore.create(KeyUri.parse(keyUri), false);
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("parallelism", parallelism);
        try (Benches.Setup setup =
                Benches.create(
                        benchCase,
                        size == null ? null : BenchSizes.parse(size),
                        rows,
                        parallelism,
                        work,
                        MasterKey.of(keyUri),
                        keyUri,
                        flink.configuration(),
                        settings)) {
            BenchCase bench = setup.bench();
            BenchRunner.Result result = new BenchRunner(warmup, rounds, w).run(bench);
            if (out != null) {
                BenchReport.write(
                        BenchReport.toJson(result, settings, PpmlCli.Version.properties()), out);
                w.printf("figures written to %s%n", out);
                w.flush();
            }
        } finally {
            if (temporary) {
                Benches.deleteRecursively(work);
            }
        }
        return 0;
    }
}
