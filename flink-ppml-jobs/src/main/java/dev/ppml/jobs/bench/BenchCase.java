package dev.ppml.jobs.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One benchmark: a candidate (ours), a baseline measured in the same run, and optionally reference
 * variants shown for scale (e.g. a hardware ceiling). Each run of a variant returns its metrics by
 * name; {@link BenchRunner} alternates the variants round by round and compares medians.
 */
public interface BenchCase extends AutoCloseable {

    /** The case's name on the command line, e.g. {@code crc64}. */
    String name();

    /** One line: what is compared with what, on which data. */
    String title();

    /** Candidate first, baseline second, then references. */
    List<Variant> variants();

    /** The goals, each on one metric's ratio candidate / baseline. */
    List<Goal> goals();

    /**
     * Warm-up goes on, beyond the rounds asked for, until it took this long: JIT intrinsics
     * (AES-GCM, CLMUL) arrive only after many calls, and a short in-memory case would otherwise
     * measure the interpreter.
     */
    default double minWarmupSeconds() {
        return 0;
    }

    /**
     * What the report should say beyond figures and goals, from the run's figures: bounds that are
     * not ratios, what limited the measurement.
     */
    default List<String> notes(BenchRunner.Result result) {
        return List.of();
    }

    /** Prepares data before any variant runs; progress goes to {@code log}. */
    default void setUp(java.io.PrintWriter log) throws Exception {}

    @Override
    default void close() throws Exception {}

    /** A way to do the case's work. */
    record Variant(String name, Run run) {}

    /** One timed run of a variant; returns metrics by name ({@code "MB/s"}, {@code "cpu s"}, …). */
    @FunctionalInterface
    interface Run {
        Metrics run() throws Exception;
    }

    /**
     * The figures of one run, in insertion order; each name says whether higher is better by being
     * listed in {@link #higherIsBetter}.
     */
    final class Metrics {
        final Map<String, Double> values = new LinkedHashMap<>();
        final Map<String, Boolean> higherIsBetter = new LinkedHashMap<>();

        /** A figure where more is better (throughput). */
        public Metrics higher(String name, double value) {
            values.put(name, value);
            higherIsBetter.put(name, true);
            return this;
        }

        /** A figure where less is better (time, CPU, memory). */
        public Metrics lower(String name, double value) {
            values.put(name, value);
            higherIsBetter.put(name, false);
            return this;
        }
    }

    /**
     * A goal: the ratio candidate / baseline of {@code metric} is at least ({@code atLeast}) or at
     * most {@code ratio}.
     */
    record Goal(String metric, boolean atLeast, double ratio) {
        public static Goal atLeast(String metric, double ratio) {
            return new Goal(metric, true, ratio);
        }

        public static Goal atMost(String metric, double ratio) {
            return new Goal(metric, false, ratio);
        }

        boolean metBy(double measured) {
            return atLeast ? measured >= ratio : measured <= ratio;
        }

        @Override
        public String toString() {
            return String.format(
                    java.util.Locale.ROOT, "%s %s %.2fx", metric, atLeast ? ">=" : "<=", ratio);
        }
    }
}
