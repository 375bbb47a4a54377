package dev.ppml.jobs.bench;

/** Where benches put a result so that the JIT cannot drop the work that computed it. */
final class Blackhole {
    private static volatile long consumed;

    private Blackhole() {}

    static void consume(long value) {
        consumed += value;
    }
}
