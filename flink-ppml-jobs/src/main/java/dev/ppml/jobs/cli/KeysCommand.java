package dev.ppml.jobs.cli;

import dev.ppml.keys.KeyServiceException;
import dev.ppml.keys.KeyUri;
import dev.ppml.keys.local.LocalKeystore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ppml keys}: master key management. */
@Command(
        name = "keys",
        mixinStandardHelpOptions = true,
        description = "Manages master keys.",
        subcommands = {KeysCommand.Create.class})
public final class KeysCommand implements Runnable {

    @Spec CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new picocli.CommandLine.ParameterException(
                spec.commandLine(), "missing subcommand: expected 'create'");
    }

    /** {@code ppml keys create}. */
    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = {
                "Creates a new master key in a local development keystore (mode 0600).",
                "Refuses to overwrite an existing keystore unless --force."
            })
    public static final class Create implements Callable<Integer> {
        @Spec CommandSpec spec;

        /** Accepted like every command's; creating a key runs no Flink job. */
        @Mixin FlinkOptions flink;

        @Option(
                names = "--key-uri",
                required = true,
                paramLabel = "URI",
                description = "local:<path> of the keystore to create.")
        String keyUri;

        @Option(
                names = "--force",
                description = "Replace an existing keystore (data under the old key is lost).")
        boolean force;

        @Override
        public Integer call() throws KeyServiceException {
            KeyUri uri = KeyUri.parse(keyUri);
            if (!LocalKeystore.SCHEME.equals(uri.scheme())) {
                throw new IllegalArgumentException(
                        String.format(
                                "keys create makes local development keys only; '%s' has scheme"
                                        + " '%s'. Keys of kbs:// and cdh:// URIs are created in"
                                        + " the key broker.",
                                keyUri, uri.scheme()));
            }
            Path path = LocalKeystore.create(uri, force);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("created master key %s in %s (mode 0600)%n", uri, path);
            out.println(
                    "note: local keys are for development only; use a kbs:// or cdh:// key URI in"
                            + " production");
            out.flush();
            return 0;
        }
    }
}
