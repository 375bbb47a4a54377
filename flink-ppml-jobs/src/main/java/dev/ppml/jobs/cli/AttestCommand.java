package dev.ppml.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ppml.attestation.policy.AttestationPolicy;
import dev.ppml.attestation.tdx.TdxQuote;
import dev.ppml.attestation.verify.TdxCollateral;
import dev.ppml.attestation.verify.TdxQuoteVerifier;
import dev.ppml.attestation.verify.VerificationReport;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ppml attest}: TDX quote inspection and verification. */
@Command(
        name = "attest",
        mixinStandardHelpOptions = true,
        description = "Inspects and verifies Intel TDX quotes.",
        subcommands = {AttestCommand.Inspect.class, AttestCommand.Verify.class})
public final class AttestCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(
                spec.commandLine(), "missing subcommand: expected 'inspect' or 'verify'");
    }

    /** {@code ppml attest inspect QUOTE}. */
    @Command(
            name = "inspect",
            mixinStandardHelpOptions = true,
            description =
                    "Prints every field of a TDX quote (v4 or v5) as JSON, measurements in hex.")
    public static final class Inspect implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin FlinkOptions flink;

        @Parameters(paramLabel = "QUOTE", description = "The quote file (binary).")
        Path quote;

        @Override
        public Integer call() throws Exception {
            TdxQuote q = TdxQuote.parse(Files.readAllBytes(quote));
            PrintWriter out = spec.commandLine().getOut();
            out.println(
                    new ObjectMapper()
                            .writerWithDefaultPrettyPrinter()
                            .writeValueAsString(q.toJson()));
            out.flush();
            return 0;
        }
    }

    /** {@code ppml attest verify QUOTE --collateral DIR --at INSTANT [--policy FILE]}. */
    @Command(
            name = "verify",
            mixinStandardHelpOptions = true,
            description = {
                "Verifies a TDX quote with Intel collateral as of an instant and, with --policy,"
                        + " evaluates the policy.",
                "Prints every check; exits 0 only when all pass, else 1."
            })
    public static final class Verify implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin FlinkOptions flink;

        @Parameters(paramLabel = "QUOTE", description = "The quote file (binary).")
        Path quote;

        @Option(
                names = "--collateral",
                required = true,
                paramLabel = "DIR",
                description =
                        "Directory with pckcrl, rootcrl.der, TCB info, QE identity and issuer chains.")
        Path collateral;

        @Option(
                names = "--at",
                paramLabel = "INSTANT",
                description =
                        "Verify as of this ISO-8601 instant, e.g. 2023-07-01T00:00:00Z (default: now).")
        Instant at;

        @Option(
                names = "--policy",
                paramLabel = "FILE",
                description = "A policy file (JSON or YAML).")
        Path policy;

        @Override
        public Integer call() throws Exception {
            Instant when = at == null ? Instant.now() : at;
            TdxQuote q = TdxQuote.parse(Files.readAllBytes(quote));
            TdxQuoteVerifier.Result result =
                    TdxQuoteVerifier.verify(q, TdxCollateral.load(collateral), when);
            VerificationReport report = new VerificationReport();
            report.addAll(result.report);
            if (policy != null) {
                report.addAll(
                        AttestationPolicy.load(policy)
                                .evaluate(q, result.tdxTcbStatus, result.qeTcbStatus, null));
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf("verifying %s as of %s%n", quote, when);
            report.checks().forEach(c -> out.println("  " + c));
            out.printf(
                    "TDX TCB status: %s, QE TCB status: %s%n",
                    result.tdxTcbStatus, result.qeTcbStatus);
            if (report.passed()) {
                out.println(
                        "VERIFIED"
                                + (policy == null
                                        ? " (no policy evaluated)"
                                        : " and the policy is satisfied"));
            } else {
                out.printf("NOT VERIFIED: %d failed check(s):%n", report.failures().size());
                report.failures().forEach(f -> out.println("  - " + f));
            }
            out.flush();
            return report.passed() ? 0 : 1;
        }
    }
}
