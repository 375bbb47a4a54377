package dev.ppml.jobs.cli;

import dev.ppml.jobs.demo.Demo;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ppml demo}: the whole pipeline on embedded defaults — generate, keys, encrypt,
 * simple-query (DataStream and SQL), decrypt — narrated, ending with a check of the result against
 * the generator's expected count.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Runs generate -> keys -> encrypt -> simple-query (DataStream and SQL) -> decrypt on an"
                    + " embedded Flink cluster, narrating each step. The master key is served by a"
                    + " development key broker (Trustee KBS protocol) that releases it only after"
                    + " attestation, here with the simulated 'sample' TEE. Ends by checking the"
                    + " result against the generator's expected count."
        })
public final class DemoCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin FlinkOptions flink;

    @Option(
            names = "--rows",
            paramLabel = "N",
            description = "People to generate (default: ${DEFAULT-VALUE}).")
    long rows = 100_000;

    @Option(
            names = "--dir",
            paramLabel = "DIR",
            description = "Working directory, recreated on each run (default: ${DEFAULT-VALUE}).")
    Path dir = Path.of("ppml-demo");

    @Override
    public Integer call() throws Exception {
        if (rows < 1) {
            throw new IllegalArgumentException("--rows must be at least 1, was " + rows);
        }
        Demo demo = new Demo(flink::environment, ProgressBar::start, spec.commandLine().getOut());
        try {
            return demo.run(new Demo.Settings(rows, dir)) ? 0 : 1;
        } catch (Demo.NotADemoDirectoryException e) {
            throw new IllegalArgumentException(e.getMessage() + " with --dir", e);
        }
    }
}
