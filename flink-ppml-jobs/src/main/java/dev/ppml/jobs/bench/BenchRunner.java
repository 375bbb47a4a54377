package dev.ppml.jobs.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs a {@link BenchCase}: every variant {@code warmup} times, then {@code rounds} measured rounds
 * in which the variants alternate (the order reverses every round, so neither side always runs on a
 * warmer or a more fragmented heap), printing each round as it ends and then the median, min and
 * max of every metric and the ratio candidate / baseline of the medians.
 */
public final class BenchRunner {
    private final int warmup;
    private final int rounds;
    private final PrintWriter out;

    public BenchRunner(int warmup, int rounds, PrintWriter out) {
        if (warmup < 0 || rounds < 1) {
            throw new IllegalArgumentException(
                    "--warmup must be at least 0 and --rounds at least 1");
        }
        this.warmup = warmup;
        this.rounds = rounds;
        this.out = out;
    }

    /** Figures of one variant: every run's value of every metric. */
    public static final class Series {
        public final String variant;
        final Map<String, List<Double>> values = new LinkedHashMap<>();
        final Map<String, Boolean> higherIsBetter = new LinkedHashMap<>();

        Series(String variant) {
            this.variant = variant;
        }

        void add(BenchCase.Metrics m) {
            m.values.forEach((k, v) -> values.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
            higherIsBetter.putAll(m.higherIsBetter);
        }

        public double median(String metric) {
            double[] s = sorted(metric);
            int n = s.length;
            return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        }

        public double min(String metric) {
            return sorted(metric)[0];
        }

        public double max(String metric) {
            double[] s = sorted(metric);
            return s[s.length - 1];
        }

        public List<Double> values(String metric) {
            return List.copyOf(values.getOrDefault(metric, List.of()));
        }

        public List<String> metrics() {
            return List.copyOf(values.keySet());
        }

        private double[] sorted(String metric) {
            List<Double> v = values.get(metric);
            if (v == null || v.isEmpty()) {
                throw new IllegalArgumentException("no figures for metric '" + metric + "'");
            }
            double[] s = v.stream().mapToDouble(Double::doubleValue).toArray();
            Arrays.sort(s);
            return s;
        }
    }

    /** What a run of a case measured. */
    public record Result(BenchCase bench, List<Series> series, int warmup, int rounds) {
        public Series candidate() {
            return series.get(0);
        }

        public Series baseline() {
            return series.get(1);
        }

        /** Median of the candidate over median of the baseline. */
        public double ratio(String metric) {
            return candidate().median(metric) / baseline().median(metric);
        }
    }

    public Result run(BenchCase bench) throws Exception {
        List<BenchCase.Variant> variants = bench.variants();
        if (variants.size() < 2) {
            throw new IllegalStateException(bench.name() + " needs a candidate and a baseline");
        }
        out.printf(
                "bench %s: %s%n%d measured rounds after at least %d warm-up rounds, variants"
                        + " alternating%n",
                bench.name(), bench.title(), rounds, warmup);
        out.flush();
        bench.setUp(out);
        String headline = bench.goals().isEmpty() ? null : bench.goals().get(0).metric();
        warmUp(bench, variants, headline);
        List<Series> series = new ArrayList<>();
        variants.forEach(v -> series.add(new Series(v.name())));
        for (int r = 0; r < rounds; r++) {
            List<String> parts = new ArrayList<>();
            for (int k = 0; k < variants.size(); k++) {
                int i = r % 2 == 0 ? k : variants.size() - 1 - k;
                BenchCase.Metrics m = variants.get(i).run().run();
                series.get(i).add(m);
                String metric = headline != null ? headline : m.values.keySet().iterator().next();
                parts.add(
                        String.format(
                                Locale.ROOT,
                                "%s %s %s",
                                variants.get(i).name(),
                                format(m.values.get(metric)),
                                metric));
            }
            out.printf("round %d/%d: %s%n", r + 1, rounds, String.join(", ", parts));
            out.flush();
        }
        Result result = new Result(bench, series, warmup, rounds);
        print(result);
        return result;
    }

    /**
     * None if {@code warmup} is 0 (the figures then include JIT compilation: for smoke runs). Else
     * at least {@code warmup} rounds and {@link BenchCase#minWarmupSeconds}, then on until every
     * variant's headline figure moved less than 10 % since its previous warm-up round (JIT
     * compilation done), but no longer than a minute.
     */
    private void warmUp(BenchCase bench, List<BenchCase.Variant> variants, String headline)
            throws Exception {
        if (warmup == 0) {
            return;
        }
        long start = System.nanoTime();
        double[] previous = new double[variants.size()];
        double printed = 0;
        for (int w = 1; ; w++) {
            boolean stable = w > 1;
            for (int i = 0; i < variants.size(); i++) {
                BenchCase.Metrics m = variants.get(i).run().run();
                double value =
                        headline != null
                                ? m.values.get(headline)
                                : m.values.values().iterator().next();
                stable &= Math.abs(value - previous[i]) < 0.1 * Math.abs(previous[i]);
                previous[i] = value;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            boolean enough = w >= warmup && seconds >= bench.minWarmupSeconds();
            boolean done = (enough && stable) || (enough && seconds > 60);
            if (done || seconds - printed >= 5) {
                printed = seconds;
                out.printf(
                        Locale.ROOT,
                        "warm-up: %d rounds, %.1f s%s%n",
                        w,
                        seconds,
                        done ? ", done" : "");
                out.flush();
            }
            if (done) {
                return;
            }
        }
    }

    private void print(Result result) {
        Series candidate = result.candidate();
        Series baseline = result.baseline();
        out.println("median (min-max) of each figure:");
        for (String metric : candidate.metrics()) {
            for (Series s : result.series()) {
                if (s.values.containsKey(metric)) {
                    out.printf(
                            Locale.ROOT,
                            "  %-12s %-28s %10s  (%s-%s)%n",
                            metric,
                            s.variant,
                            format(s.median(metric)),
                            format(s.min(metric)),
                            format(s.max(metric)));
                }
            }
        }
        for (String metric : candidate.metrics()) {
            if (baseline.values.containsKey(metric)) {
                out.printf(
                        Locale.ROOT,
                        "ratio %s / %s, %s: %.2fx%n",
                        candidate.variant,
                        baseline.variant,
                        metric,
                        result.ratio(metric));
            }
        }
        for (int i = 2; i < result.series().size(); i++) {
            Series reference = result.series().get(i);
            for (String metric : candidate.metrics()) {
                if (reference.values.containsKey(metric)) {
                    out.printf(
                            Locale.ROOT,
                            "ratio %s / %s (reference), %s: %.2fx%n",
                            candidate.variant,
                            reference.variant,
                            metric,
                            candidate.median(metric) / reference.median(metric));
                }
            }
        }
        for (BenchCase.Goal goal : result.bench().goals()) {
            double ratio = result.ratio(goal.metric());
            out.printf(
                    Locale.ROOT,
                    "goal %s: %.3fx, %s%n",
                    goal,
                    ratio,
                    goal.metBy(ratio) ? "met" : "NOT met");
        }
        for (String note : result.bench().notes(result)) {
            out.println("note: " + note);
        }
        out.flush();
    }

    static String format(double v) {
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : "%.2f", v);
    }
}
