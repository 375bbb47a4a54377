package dev.ppml.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** SimpleQuery's program arguments as the manifests give them (see SimpleQueryCommand). */
final class JobArgs {
    final List<String> args;

    JobArgs(List<String> args) {
        this.args = List.copyOf(args);
    }

    static JobArgs of(JsonNode argsNode) {
        List<String> a = new ArrayList<>();
        argsNode.forEach(n -> a.add(n.asText()));
        return new JobArgs(a);
    }

    /** The value after {@code --name}, or null. */
    String option(String name) {
        int i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : null;
    }

    /** The {@code -Dppml.key-service.*} options, without the prefix. */
    Map<String, String> keyService() {
        Map<String, String> out = new LinkedHashMap<>();
        String prefix = "-Dppml.key-service.";
        for (String a : args) {
            if (a.startsWith(prefix) && a.contains("=")) {
                out.put(
                        a.substring(prefix.length(), a.indexOf('=')),
                        a.substring(a.indexOf('=') + 1));
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return args.toString();
    }
}
