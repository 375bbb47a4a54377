package dev.ppml.jobs.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.ResultKind;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ppml sql -f FILE}: runs a SQL script on the embedded cluster. */
@Command(
        name = "sql",
        mixinStandardHelpOptions = true,
        description = {
            "Runs a SQL script (DDL and queries separated by ';') and prints query results.",
            "INSERT statements run to completion before the next statement."
        })
public final class SqlCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin FlinkOptions flink;

    @Option(
            names = {"-f", "--file"},
            required = true,
            paramLabel = "FILE",
            description = "The SQL script.")
    Path file;

    @Option(
            names = "--mode",
            paramLabel = "MODE",
            description = "batch or streaming (default: ${DEFAULT-VALUE}).")
    String mode = "batch";

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("SQL script " + file + " does not exist");
        }
        boolean batch;
        switch (mode.toLowerCase(Locale.ROOT)) {
            case "batch":
                batch = true;
                break;
            case "streaming":
                batch = false;
                break;
            default:
                throw new IllegalArgumentException(
                        "--mode must be 'batch' or 'streaming', was '" + mode + "'");
        }
        StreamExecutionEnvironment env = flink.environment();
        env.setRuntimeMode(batch ? RuntimeExecutionMode.BATCH : RuntimeExecutionMode.STREAMING);
        StreamTableEnvironment tEnv =
                StreamTableEnvironment.create(
                        env,
                        batch
                                ? EnvironmentSettings.inBatchMode()
                                : EnvironmentSettings.inStreamingMode());
        PrintWriter out = spec.commandLine().getOut();
        List<String> statements = split(Files.readString(file, StandardCharsets.UTF_8));
        for (int i = 0; i < statements.size(); i++) {
            String statement = statements.get(i);
            out.printf("-- [%d/%d] %s%n", i + 1, statements.size(), firstLine(statement));
            out.flush();
            TableResult result = tEnv.executeSql(statement);
            if (result.getJobClient().isPresent()) {
                String kind = statement.trim().toUpperCase(Locale.ROOT);
                if (kind.startsWith("INSERT") || kind.startsWith("EXECUTE")) {
                    result.await();
                    out.println("OK");
                } else {
                    result.print();
                }
            } else if (result.getResultKind() == ResultKind.SUCCESS_WITH_CONTENT) {
                result.print();
            } else {
                out.println("OK");
            }
            out.flush();
        }
        return 0;
    }

    private static String firstLine(String statement) {
        String line = statement.strip().lines().findFirst().orElse("");
        return line.length() > 100 ? line.substring(0, 100) + "…" : line;
    }

    /**
     * Splits a script on semicolons outside quotes, identifiers and comments; drops comments and
     * empty statements.
     */
    static List<String> split(String script) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int i = 0;
        while (i < script.length()) {
            char c = script.charAt(i);
            if (c == '-' && i + 1 < script.length() && script.charAt(i + 1) == '-') {
                while (i < script.length() && script.charAt(i) != '\n') {
                    i++;
                }
                continue;
            }
            if (c == '/' && i + 1 < script.length() && script.charAt(i + 1) == '*') {
                int end = script.indexOf("*/", i + 2);
                i = end < 0 ? script.length() : end + 2;
                continue;
            }
            if (c == '\'' || c == '`' || c == '"') {
                int j = i + 1;
                while (j < script.length()) {
                    if (script.charAt(j) == c) {
                        if (j + 1 < script.length() && script.charAt(j + 1) == c) {
                            j += 2; // doubled quote inside a literal
                            continue;
                        }
                        break;
                    }
                    j++;
                }
                int end = Math.min(j + 1, script.length());
                current.append(script, i, end);
                i = end;
                continue;
            }
            if (c == ';') {
                add(statements, current);
                current.setLength(0);
            } else {
                current.append(c);
            }
            i++;
        }
        add(statements, current);
        return statements;
    }

    private static void add(List<String> statements, StringBuilder statement) {
        String s = statement.toString().strip();
        if (!s.isEmpty()) {
            statements.add(s);
        }
    }
}
