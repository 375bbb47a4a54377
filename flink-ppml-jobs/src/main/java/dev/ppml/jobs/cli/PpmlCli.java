package dev.ppml.jobs.cli;

import dev.ppml.jobs.JobPaths;
import dev.ppml.keys.local.LocalKeystore;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.util.ExceptionUtils;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code bin/ppml}: the local CLI. Job commands run on an embedded Flink MiniCluster (or on the
 * cluster under {@code flink run}); every command takes {@code -D key=value} and {@code --help}.
 */
@Command(
        name = "ppml",
        mixinStandardHelpOptions = true,
        versionProvider = PpmlCli.Version.class,
        description = "Privacy-preserving data pipelines on Apache Flink.",
        subcommands = {
            GenerateCommand.class,
            KeysCommand.class,
            EncryptCommand.class,
            DecryptCommand.class,
            SimpleQueryCommand.class,
            SqlCommand.class,
            AttestCommand.class,
            KbsCommand.class,
            BenchCommand.class,
            DemoCommand.class
        })
public final class PpmlCli implements Runnable {

    @Spec CommandSpec spec;

    /** The versions the build wrote into {@code version.properties}. */
    static final class Version implements CommandLine.IVersionProvider {
        /** {@code ppml} and {@code flink}: the versions this jar was built with. */
        static Map<String, String> properties() throws IOException {
            Properties p = load();
            return Map.of(
                    "ppml", p.getProperty("version"), "flink", p.getProperty("flink.version"));
        }

        private static Properties load() throws IOException {
            Properties p = new Properties();
            try (InputStream in =
                    PpmlCli.class.getResourceAsStream("/dev/ppml/jobs/version.properties")) {
                if (in == null) {
                    throw new IOException("version.properties is missing from the jobs jar");
                }
                p.load(in);
            }
            return p;
        }

        @Override
        public String[] getVersion() throws IOException {
            Properties p = load();
            return new String[] {
                "flink-ppml "
                        + p.getProperty("version")
                        + " (Flink "
                        + p.getProperty("flink.version")
                        + ")"
            };
        }
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code: 0 ok, 1 failed, 2 bad arguments. */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs the CLI with the given output and error writers. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new PpmlCli());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler(PpmlCli::reportFailure);
        cli.setParameterExceptionHandler(PpmlCli::reportBadArguments);
        return cli.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(),
                "missing command: expected one of " + spec.subcommands().keySet());
    }

    /** Bad arguments: the problem, suggestions if any, then the command's usage; exit code 2. */
    static int reportBadArguments(CommandLine.ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        PrintWriter err = cli.getErr();
        err.println("ppml: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println();
        cli.usage(err);
        err.flush();
        return cli.getCommandSpec().exitCodeOnInvalidInput();
    }

    /**
     * Prints a failure as the chain of its distinct messages, innermost cause last, without a stack
     * trace unless {@code PPML_DEBUG} is set. Messages of our own exceptions name the cause and the
     * fix; key material never appears in them.
     */
    static int reportFailure(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        PrintWriter err = cli.getErr();
        if (System.getenv("PPML_DEBUG") != null) {
            err.println(ExceptionUtils.stringifyException(e));
        }
        List<String> messages = new ArrayList<>();
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (messages.stream().noneMatch(prior -> prior.contains(m))) {
                messages.add(m);
            }
        }
        String advice = "";
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JobPaths.OutputNotEmptyException
                    || t instanceof JobPaths.OutputIsDirectoryException) {
                advice = " (--output)";
            } else if (t instanceof LocalKeystore.MissingKeystoreException) {
                advice =
                        "; create it with: bin/ppml keys create --key-uri "
                                + ((LocalKeystore.MissingKeystoreException) t).keyUri();
            } else if (t instanceof IllegalConfigurationException) {
                advice = " (give Flink options to bin/ppml as -D key=value)";
            }
        }
        err.println(
                "ppml "
                        + cli.getCommandName()
                        + ": error: "
                        + messages.get(messages.size() - 1)
                        + advice);
        if (messages.size() > 1) {
            err.println("  while: " + messages.get(0));
        }
        err.println("  (set PPML_DEBUG=1 for the full stack trace)");
        err.flush();
        return 1;
    }
}
