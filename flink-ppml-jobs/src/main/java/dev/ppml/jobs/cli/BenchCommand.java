package dev.ppml.jobs.cli;

import com.aliyun.oss.common.utils.CRC64;
import dev.ppml.oss.Crc64;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ppml bench}: side-by-side throughput, measured in the same run. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Benchmarks, each against its baseline in the same run, printing the ratio.",
            "crc64: the project's CRC-64/XZ vs the OSS SDK's CRC64 (and the JDK's CRC32C as a"
                    + " hardware-accelerated ceiling) on one thread."
        })
public final class BenchCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin FlinkOptions flink;

    @Parameters(paramLabel = "BENCHMARK", description = "crc64")
    String benchmark;

    @Option(
            names = "--mib",
            paramLabel = "N",
            description = "Buffer size in MiB (default: ${DEFAULT-VALUE}).")
    int mib = 64;

    @Option(
            names = "--rounds",
            paramLabel = "N",
            description = "Measured rounds per candidate (default: ${DEFAULT-VALUE}).")
    int rounds = 7;

    @Override
    public Integer call() {
        if (!"crc64".equals(benchmark)) {
            throw new IllegalArgumentException(
                    "unknown benchmark '" + benchmark + "'; expected crc64");
        }
        if (mib < 1 || rounds < 1) {
            throw new IllegalArgumentException("--mib and --rounds must be at least 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        byte[] data = new byte[mib << 20];
        new Random(7).nextBytes(data);
        List<String> names = List.of("ppml Crc64", "OSS SDK CRC64", "JDK CRC32C");
        List<Supplier<Checksum>> candidates = List.of(Crc64::new, CRC64::new, CRC32C::new);
        out.printf("crc64 on %d MiB, %d measured rounds after warm-up, one thread%n", mib, rounds);
        out.flush();
        double[] median = new double[candidates.size()];
        long check = 0;
        // warm up every candidate on the same data before measuring any
        for (int w = 0; w < 3; w++) {
            for (Supplier<Checksum> c : candidates) {
                check += run(c, data);
            }
        }
        for (int i = 0; i < candidates.size(); i++) {
            List<Double> gbps = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                long start = System.nanoTime();
                check += run(candidates.get(i), data);
                gbps.add(data.length / ((System.nanoTime() - start) / 1e9) / 1e9);
            }
            double[] sorted = gbps.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            median[i] = sorted[sorted.length / 2];
            out.printf(
                    Locale.ROOT,
                    "  %-14s %6.2f GB/s (median; min %.2f, max %.2f)%n",
                    names.get(i),
                    median[i],
                    sorted[0],
                    sorted[sorted.length - 1]);
            out.flush();
        }
        out.printf(Locale.ROOT, "ratio ppml Crc64 / OSS SDK CRC64: %.2fx%n", median[0] / median[1]);
        out.printf(
                Locale.ROOT,
                "ratio ppml Crc64 / JDK CRC32C (hardware ceiling): %.2fx%n",
                median[0] / median[2]);
        out.printf("(sum of the checksums, so no run can be optimised away: %x)%n", check);
        out.flush();
        return 0;
    }

    private static long run(Supplier<Checksum> factory, byte[] data) {
        Checksum c = factory.get();
        c.update(data, 0, data.length);
        return c.getValue();
    }
}
