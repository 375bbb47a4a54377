package dev.ppml.jobs.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar on standard error, drawn only when attached to a terminal: {@code
 * encrypting [##########----------] 50% 12.0 MB/s}.
 */
final class ProgressBar implements AutoCloseable {
    private static final int WIDTH = 30;

    private final String label;
    private final long total;
    private final LongSupplier done;
    private final PrintStream out;
    private final Thread thread;
    private final long startNanos = System.nanoTime();
    private volatile boolean running = true;

    private ProgressBar(String label, long total, LongSupplier done, PrintStream out) {
        this.label = label;
        this.total = Math.max(total, 1);
        this.done = done;
        this.out = out;
        this.thread = new Thread(this::loop, "ppml-progress");
        this.thread.setDaemon(true);
    }

    /** Starts a bar if standard error is a terminal, otherwise a no-op. */
    static ProgressBar start(String label, long total, LongSupplier done) {
        ProgressBar bar = new ProgressBar(label, total, done, System.err);
        if (System.console() != null) {
            bar.thread.start();
        }
        return bar;
    }

    private void loop() {
        while (running) {
            draw(Math.min(done.getAsLong(), total));
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void draw(long current) {
        int filled = (int) (WIDTH * current / total);
        double seconds = Math.max((System.nanoTime() - startNanos) / 1e9, 1e-3);
        out.printf(
                Locale.ROOT,
                "\r  %s [%s%s] %3d%% %.1f MB/s ",
                label,
                "#".repeat(filled),
                "-".repeat(WIDTH - filled),
                100 * current / total,
                current / seconds / 1e6);
        out.flush();
    }

    @Override
    public void close() {
        if (thread.isAlive()) {
            running = false;
            thread.interrupt();
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            draw(total);
            out.println();
        }
    }
}
