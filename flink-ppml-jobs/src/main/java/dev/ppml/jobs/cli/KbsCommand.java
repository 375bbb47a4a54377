package dev.ppml.jobs.cli;

import dev.ppml.attestation.policy.AttestationPolicy;
import dev.ppml.attestation.verify.TdxCollateral;
import dev.ppml.broker.DevKeyBroker;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ppml kbs}: the development key broker. */
@Command(
        name = "kbs",
        mixinStandardHelpOptions = true,
        description = "Key broker tools.",
        subcommands = {KbsCommand.DevServer.class})
public final class KbsCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(
                spec.commandLine(), "missing subcommand: expected 'dev-server'");
    }

    /** {@code ppml kbs dev-server}. */
    @Command(
            name = "dev-server",
            mixinStandardHelpOptions = true,
            description = {
                "Runs the development key broker (Trustee KBS protocol 0.4.0) on 127.0.0.1 until"
                        + " interrupted: it releases resources from --resources (<repo>/<type>/<tag>"
                        + " files) to clients whose evidence satisfies --policy.",
                "Plain HTTP, in-memory sessions: for trying the flow by hand, never production."
            })
    public static final class DevServer implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin FlinkOptions flink;

        @Option(
                names = "--policy",
                required = true,
                paramLabel = "FILE",
                description = "Attestation policy (JSON or YAML).")
        Path policy;

        @Option(
                names = "--resources",
                required = true,
                paramLabel = "DIR",
                description = "Resources, as <repo>/<type>/<tag> files.")
        Path resources;

        @Option(
                names = "--collateral",
                paramLabel = "DIR",
                description =
                        "Intel collateral for TDX evidence (without it TDX evidence is refused).")
        Path collateral;

        @Option(
                names = "--port",
                paramLabel = "PORT",
                description = "Port on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
        int port = 8080;

        @Option(
                names = "--insecure-dev",
                description = "Acknowledge that this broker is for development only.")
        boolean insecureDev;

        @Override
        public Integer call() throws Exception {
            if (!insecureDev) {
                throw new IllegalArgumentException(
                        "the development key broker is not a production broker (plain HTTP, sessions in"
                                + " memory); start it with --insecure-dev to acknowledge that");
            }
            if (!Files.isDirectory(resources)) {
                throw new IllegalArgumentException(
                        "--resources " + resources + " is not a directory");
            }
            AttestationPolicy p = AttestationPolicy.load(policy);
            try (DevKeyBroker broker =
                    DevKeyBroker.withPolicy(
                            p,
                            collateral == null ? null : TdxCollateral.load(collateral),
                            resources,
                            Clock.systemUTC())) {
                broker.start(port);
                PrintWriter out = spec.commandLine().getOut();
                out.printf(
                        "development key broker on http://127.0.0.1:%d (policy %s%s)%n",
                        broker.port(),
                        policy,
                        p.allowSample() ? ", simulated sample TEE allowed" : "");
                out.printf(
                        "use it with: --key-uri kbs://127.0.0.1:%d/<repo>/<type>/<tag> -D ppml.key-service.kbs.tee=%s"
                                + " -D ppml.key-service.kbs.plaintext-http=true%n",
                        broker.port(), p.allowSample() ? "sample" : "tdx");
                out.println("Ctrl-C stops it.");
                out.flush();
                CountDownLatch stop = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
                stop.await();
            }
            return 0;
        }
    }
}
