package dev.ppml.jobs.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * A run's figures as JSON, for plotting: the case, its settings, every variant's values of every
 * metric with median, min and max, the ratios and goals, the machine and the versions.
 */
public final class BenchReport {
    private BenchReport() {}

    public static ObjectNode toJson(
            BenchRunner.Result result, Map<String, Object> settings, Map<String, String> versions) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("case", result.bench().name());
        root.put("title", result.bench().title());
        root.put("finished", Instant.now().toString());
        ObjectNode s = root.putObject("settings");
        settings.forEach((k, v) -> s.set(k, mapper.valueToTree(v)));
        s.put("warmup", result.warmup());
        s.put("rounds", result.rounds());
        ArrayNode variants = root.putArray("variants");
        for (int i = 0; i < result.series().size(); i++) {
            BenchRunner.Series series = result.series().get(i);
            ObjectNode v = variants.addObject();
            v.put("name", series.variant);
            v.put("role", i == 0 ? "candidate" : i == 1 ? "baseline" : "reference");
            ObjectNode metrics = v.putObject("metrics");
            for (String metric : series.metrics()) {
                ObjectNode m = metrics.putObject(metric);
                m.put("higher_is_better", series.higherIsBetter.get(metric));
                m.put("median", series.median(metric));
                m.put("min", series.min(metric));
                m.put("max", series.max(metric));
                ArrayNode values = m.putArray("values");
                series.values(metric).forEach(values::add);
            }
        }
        ObjectNode ratios = root.putObject("ratios");
        for (String metric : result.candidate().metrics()) {
            if (result.baseline().metrics().contains(metric)) {
                ratios.put(metric, result.ratio(metric));
            }
        }
        ArrayNode goals = root.putArray("goals");
        for (BenchCase.Goal goal : result.bench().goals()) {
            ObjectNode g = goals.addObject();
            g.put("metric", goal.metric());
            g.put("comparison", goal.atLeast() ? ">=" : "<=");
            g.put("ratio", goal.ratio());
            double measured = result.ratio(goal.metric());
            g.put("measured", measured);
            g.put("met", goal.metBy(measured));
        }
        ArrayNode notes = root.putArray("notes");
        result.bench().notes(result).forEach(notes::add);
        ObjectNode machine = root.putObject("machine");
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("cpu", cpuModel());
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        machine.put("arch", System.getProperty("os.arch"));
        machine.put(
                "jvm",
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        machine.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        machine.put(
                "jvm_arguments",
                String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        ObjectNode v = root.putObject("versions");
        versions.forEach(v::put);
        return root;
    }

    public static void write(ObjectNode json, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(file.toFile(), json);
    }

    /** The CPU's model name from {@code /proc/cpuinfo}, or the architecture elsewhere. */
    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: the architecture is all we know
        }
        return System.getProperty("os.arch");
    }
}
