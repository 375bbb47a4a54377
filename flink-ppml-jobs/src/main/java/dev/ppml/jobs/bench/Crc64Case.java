package dev.ppml.jobs.bench;

import com.aliyun.oss.common.utils.CRC64;
import dev.ppml.oss.Crc64;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

/** The project's CRC-64/XZ against the OSS SDK's, with the JDK's CRC32C as hardware ceiling. */
final class Crc64Case implements BenchCase {
    private final byte[] data;

    Crc64Case(long bytes) {
        data = new byte[BenchSizes.toInt(bytes, "crc64 --size")];
        new Random(7).nextBytes(data);
    }

    @Override
    public String name() {
        return "crc64";
    }

    @Override
    public String title() {
        return String.format(
                "ppml Crc64 vs the OSS SDK's CRC64 (JDK CRC32C as the hardware ceiling) on %s,"
                        + " one thread",
                BenchSizes.format(data.length));
    }

    @Override
    public List<Variant> variants() {
        return List.of(
                new Variant("ppml Crc64", () -> run(Crc64::new)),
                new Variant("OSS SDK CRC64", () -> run(CRC64::new)),
                new Variant("JDK CRC32C", () -> run(CRC32C::new)));
    }

    @Override
    public double minWarmupSeconds() {
        return 5;
    }

    @Override
    public List<Goal> goals() {
        return List.of(Goal.atLeast("GB/s", 2.0));
    }

    private Metrics run(Supplier<Checksum> factory) {
        long start = System.nanoTime();
        Checksum c = factory.get();
        c.update(data, 0, data.length);
        Blackhole.consume(c.getValue());
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Metrics().higher("GB/s", data.length / seconds / 1e9);
    }
}
